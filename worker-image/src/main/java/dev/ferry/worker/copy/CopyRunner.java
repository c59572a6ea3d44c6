package dev.ferry.worker.copy;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.events.EventPublisher;
import dev.ferry.worker.events.TaskEvents;
import dev.ferry.worker.manifest.FailureLog;
import dev.ferry.worker.manifest.TaskFiles;
import dev.ferry.worker.source.SourcePaths;
import dev.ferry.worker.task.Backoff;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.RetryableTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.StoreProblemException;
import dev.ferry.worker.task.TaskFence;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Copy task: the files after its checkpoint go through the engine's file threads (at most
 * {@code concurrency} of this task in flight), progress is written about once a second (with
 * {@code progressTime} whenever a file got its outcome or bytes moved, {@link TaskMotion}), and the task
 * ends Succeeded once every file has an outcome — copied, skipped, or failed and reported with its code
 * in {@code progress.failed} and {@code failures}: one bad file sinks nothing else. It goes back to
 * Pending without using an attempt when the store as a whole cannot take its writes
 * ({@link StoreProblemException}: {@code storeError}, a short backoff), with attempts + 1 and a backoff
 * on another failure of the task as a whole, or is released (worker shutdown) — keeping its checkpoint
 * in these cases. With {@code spec.notifications}, a file's outcome counts (moves the
 * checkpoint) only once the broker acknowledged its event, and the task ends only once its
 * {@code task.finished} is acknowledged too ({@link TaskEvents}).
 */
public final class CopyRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CopyRunner.class);
    public static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(10);
    /**
     * How long a file thread goes on with the task's next files before it hands the thread back. One hand-off per
     * file (a permit of the task's window, a pass through the pool's queue, each waking a thread) cost about 24 µs
     * of CPU per file on two cores ({@code e2e/bench/handoff}), some 3 % of what the worker spends on a small file;
     * a thread that takes the next file itself pays that once per run. The runs are short enough that the job's
     * other tasks, whose files wait in the same pool, start theirs within a fraction of a second.
     */
    private static final Duration RUN_ON = Duration.ofMillis(100);

    private final Path sourceRoot;
    private final Function<MigrationJob, CopyEngine> engines;
    private final ScheduledExecutorService ticker;
    private final Clock clock;
    /** How often a task that waits for its events' acknowledgements looks again. */
    public static final Duration EVENTS_POLL = Duration.ofMillis(100);

    private final Duration drainGrace;
    private final Function<MigrationJob, EventPublisher> publishers;

    public CopyRunner(Path sourceRoot, Function<MigrationJob, CopyEngine> engines, ScheduledExecutorService ticker,
                      Clock clock, Duration drainGrace) {
        this(sourceRoot, engines, job -> EventPublisher.NONE, ticker, clock, drainGrace);
    }

    public CopyRunner(Path sourceRoot, Function<MigrationJob, CopyEngine> engines,
                      Function<MigrationJob, EventPublisher> publishers, ScheduledExecutorService ticker, Clock clock,
                      Duration drainGrace) {
        this.sourceRoot = sourceRoot;
        this.engines = engines;
        this.publishers = publishers;
        this.ticker = ticker;
        this.clock = clock;
        this.drainGrace = drainGrace;
    }

    public void run(MigrationJob job, MigrationTask task, TaskFence fence, StopSignal stop)
            throws LostTaskException, InterruptedException {
        CopyEngine engine = engines.apply(job);
        List<FileEntry> files = TaskFiles.of(job, task, engine.s3()); // inline, or the manifest in the state prefix
        Path base = SourcePaths.base(sourceRoot, job);
        TaskEvents events = new TaskEvents(publishers.apply(job), job, task, fence.epoch(), engine.bucket);
        TaskMotion motion = new TaskMotion(clock);
        FailureLog failureLog = FailureLog.of(engine.s3, engine.bucket, job, task.getMetadata().getName(), fence.epoch());
        CopyProgress progress = new CopyProgress(task.getStatus(), files.size(), events::awaiting, motion,
                engine.meters, failureLog::store);
        failureLog.startedFrom(progress.failed());
        TaskProgressWriter writer = new TaskProgressWriter(fence, progress::version, progress::writeTo, clock,
                HEARTBEAT_INTERVAL);
        AtomicReference<RuntimeException> taskFailure = new AtomicReference<>();
        StopSignal halt = stop.or(() -> writer.lost() != null || taskFailure.get() != null)
                .pausedWhileLapsed(engine.standing, writer::confirmHeld);
        FileCopier copier = new FileCopier(engine, halt, motion);
        Semaphore window = new Semaphore(engine.concurrency());
        boolean fresh = firstHolderOfAFreshTask(engine, task, fence.epoch(), progress.checkpoint());
        LOG.info("copying {}: {} files from #{}{}", task.getMetadata().getName(), files.size(), progress.checkpoint(),
                fresh ? " (planned into an empty folder: nothing to list)" : "");
        ExistingObjects existing = fresh ? ExistingObjects.NONE
                : listExisting(engine, files.subList(progress.checkpoint(), files.size()));

        ScheduledFuture<?> ticks = ticker.scheduleWithFixedDelay(writer::tick,
                PROGRESS_INTERVAL.toMillis(), PROGRESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        try {
            AtomicInteger nextFile = new AtomicInteger(progress.checkpoint());
            while (nextFile.get() < files.size() && !halt.stopRequested()) {
                halt.awaitStart(); // while the Lease lapses; then the fence tells whether the task is still ours
                if (halt.stopRequested()) {
                    break;
                }
                window.acquire();
                if (halt.stopRequested() || nextFile.get() >= files.size()) {
                    window.release();
                    break;
                }
                engine.fileThreads.execute(() -> {
                    try {
                        long until = System.nanoTime() + RUN_ON.toNanos();
                        int index;
                        while ((index = nextFile.getAndIncrement()) < files.size()
                                && copied(copier, base, files.get(index), index, existing, motion, events, engine,
                                        progress, taskFailure)
                                && System.nanoTime() - until < 0 && !halt.stopRequested() && halt.startsAtOnce()) {
                            // on with the task's next file on this thread, without a hand-off per file
                        }
                    } finally {
                        window.release();
                    }
                });
            }
            awaitInFlight(window, engine.concurrency(), stop.stopRequested());
            events.awaitAcknowledged(halt, EVENTS_POLL, () -> { });
        } finally {
            ticks.cancel(false);
        }
        writer.closeAndRethrowIfLost();
        // The manifest stays: it is the plan's record of the task, which the audit reads before it removes it.
        finish(fence, progress, taskFailure.get(), events, halt);
    }

    /**
     * Copies one file of the task on a file thread and records its outcome once its event is acknowledged; false
     * when this thread should take no further file of the task (it was halted, interrupted, or the task failed).
     */
    private static boolean copied(FileCopier copier, Path base, FileEntry entry, int index, ExistingObjects existing,
                                  TaskMotion motion, TaskEvents events, CopyEngine engine, CopyProgress progress,
                                  AtomicReference<RuntimeException> taskFailure) {
        try {
            long started = System.nanoTime();
            FileOutcome outcome = copy(copier, base, entry, existing);
            motion.outcome();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            CopyEvents.of(events, engine, entry, outcome, millis).whenComplete((acknowledged, error) -> {
                if (error == null) {
                    progress.record(index, outcome);
                }
            });
            return true;
        } catch (CopyHalted e) {
            LOG.info("{}: {}; its upload is left for the next holder", entry.path, e.getMessage());
        } catch (RetryableTaskException e) {
            taskFailure.compareAndSet(null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            taskFailure.compareAndSet(null, new RetryableTaskException(
                    "unexpected error on " + entry.path + ": " + e, e));
        }
        return false;
    }

    /** The file copied, or failed with PATH_OUTSIDE_SOURCE when its path leaves the source (never read). */
    private static FileOutcome copy(FileCopier copier, Path base, FileEntry entry, ExistingObjects existing)
            throws InterruptedException {
        Path file;
        try {
            file = SourcePaths.within(base, entry.readPath());
        } catch (SourcePaths.OutsideSourceException e) {
            LOG.warn("{}: {}", entry.path, e.getMessage());
            return FileOutcome.failed(entry.path, FailureCode.PATH_OUTSIDE_SOURCE, e.getMessage());
        }
        return copier.copy(entry, file, existing);
    }

    /**
     * Sends {@code task.finished} and waits for its acknowledgement, writing the task's heartbeat and
     * count of waiting events meanwhile; false when the holder had to stop first, and the task was
     * released (the next holder finds every file done and announces the end itself, with the same id).
     */
    private boolean announced(TaskFence fence, CopyProgress progress, TaskEvents events, StopSignal halt,
                              TaskPhase phase, String summary) throws LostTaskException, InterruptedException {
        events.taskFinished(phase, progress.files(), progress.copied(), progress.skipped(), progress.failed(),
                progress.bytes(), summary);
        TaskProgressWriter writer = new TaskProgressWriter(fence, progress::version, progress::writeTo, clock,
                HEARTBEAT_INTERVAL);
        if (events.awaitAcknowledged(halt, EVENTS_POLL, writer::tick)) {
            return true;
        }
        writer.closeAndRethrowIfLost();
        fence.update(s -> {
            progress.writeTo(s);
            s.phase = TaskPhase.Pending;
            s.message = "released on worker shutdown while Kafka had not acknowledged the end of the task";
        });
        return false;
    }

    /** One listing of the task's key range spares a HEAD per absent file (overwrite Always needs neither). */
    private static ExistingObjects listExisting(CopyEngine engine, List<FileEntry> remaining) {
        if (engine.overwrite == OverwritePolicy.Always) {
            return ExistingObjects.UNKNOWN;
        }
        return ExistingObjects.list(engine, remaining.stream()
                .map(f -> EntryObject.keyOf(engine.prefix, f)).toList());
    }

    /**
     * Nothing can exist under the task's keys: its directory was empty at the destination when it was planned
     * ({@code spec.freshDestination}) and no holder ran it before this one (the first hand-out, from its first file).
     */
    static boolean firstHolderOfAFreshTask(CopyEngine engine, MigrationTask task, long epoch, int checkpoint) {
        return engine.overwrite == OverwritePolicy.IfDifferent && Boolean.TRUE.equals(task.getSpec().freshDestination)
                && epoch == 1 && checkpoint == 0;
    }

    private void awaitInFlight(Semaphore window, int permits, boolean draining) throws InterruptedException {
        if (draining) {
            if (!window.tryAcquire(permits, drainGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("files still in flight after the drain grace of {}: released without them", drainGrace);
            }
        } else {
            window.acquire(permits);
        }
    }

    private void finish(TaskFence fence, CopyProgress progress, RuntimeException taskFailure, TaskEvents events,
                        StopSignal halt) throws LostTaskException, InterruptedException {
        String name = fence.taskName();
        if (progress.allDone()) {
            // every file has its outcome: failed files are reported, not the task's failure
            String summary = progress.summary();
            if (!announced(fence, progress, events, halt, TaskPhase.Succeeded, summary)) {
                return;
            }
            fence.update(s -> {
                progress.writeTo(s);
                s.phase = TaskPhase.Succeeded;
                s.message = summary;
            });
            LOG.info("task {} Succeeded: {}", name, summary);
        } else if (taskFailure instanceof StoreProblemException store) {
            fence.update(s -> {
                progress.writeTo(s);
                store.sendBack(s, clock.instant());
            });
            LOG.warn("task {} waits for the store ({}), no attempt used: {}", name, store.code(), store.getMessage());
        } else if (taskFailure != null) {
            String message = taskFailure.getMessage();
            fence.update(s -> {
                progress.writeTo(s);
                int attempts = s.attemptsOrZero() + 1;
                s.attempts = attempts;
                s.notBefore = clock.instant().plus(Backoff.afterAttempt(attempts)).toString();
                s.phase = TaskPhase.Pending;
                s.message = message;
            });
            LOG.warn("task {} goes back to Pending after a failure of the task: {}", name, message);
        } else {
            fence.update(s -> {
                progress.writeTo(s);
                s.phase = TaskPhase.Pending;
                s.message = "released on worker shutdown at file " + progress.checkpoint();
            });
            LOG.info("task {} released at checkpoint {}", name, progress.checkpoint());
        }
    }
}
