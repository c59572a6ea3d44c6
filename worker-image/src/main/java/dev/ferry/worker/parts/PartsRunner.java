package dev.ferry.worker.parts;

import dev.ferry.api.FailureCode;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.PartsScope;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.EventType;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.CopyHalted;
import dev.ferry.worker.copy.CopyRunner;
import dev.ferry.worker.copy.TaskMotion;
import dev.ferry.worker.copy.TaskProgressWriter;
import dev.ferry.worker.copy.Uploads;
import dev.ferry.worker.events.FileFacts;
import dev.ferry.worker.events.TaskEvents;
import dev.ferry.worker.manifest.FailureLog;
import dev.ferry.worker.metrics.FileMetrics;
import dev.ferry.worker.multipart.PartSizes;
import dev.ferry.worker.s3.ObjectKeys;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.source.SourcePaths;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.RetryableTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.TaskFence;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs a Parts task: one range of parts of one huge file, uploaded into the multipart upload the plan
 * created and shared by all Parts tasks of the file ({@link PartsUpload} does the work). Then:
 * <ul>
 *   <li>the file is counted once, by the task with {@code firstPart == 1} (it carries the file's
 *       {@code fileCount}). Every other task ends Succeeded once its range is stored, counting its
 *       bytes; the file's outcome is not theirs.</li>
 *   <li>The task with part 1, when its range is stored but other parts are missing, goes back to
 *       Pending with a short {@code notBefore} and without an attempt (it waits, it did not fail); when
 *       it comes back its checkpoint spares it its range, and it completes the upload or finds it
 *       completed and reports the file copied.</li>
 *   <li>A sibling Parts task of the file that ended Failed (the operator gave up after maxAttempts)
 *       means the parts will never all be there: the task with part 1 aborts the upload and reports
 *       the file failed with {@code PARTS_INCOMPLETE}.</li>
 *   <li>A file that failed (it changed, vanished, the upload was lost, a part kept failing after its
 *       tries) has its outcome: every task that sees it ends Succeeded with the code in its message, and
 *       only the task with part 1 counts and reports the failure ({@code progress.failed},
 *       {@code failures}, {@code file.failed}).</li>
 * </ul>
 * A problem of the whole store sends the task back to Pending without using an attempt
 * ({@code storeError}); a shutdown releases it (the upload stays; the next holder verifies the parts
 * stored and sends the rest).
 */
public final class PartsRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PartsRunner.class);
    /** How long the task with part 1 waits before it looks again at the parts of its siblings. */
    static final Duration WAIT_FOR_SIBLINGS = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final Path sourceRoot;
    private final Function<MigrationJob, CopyEngine> engines;
    private final ScheduledExecutorService ticker;
    private final Clock clock;

    private final Function<MigrationJob, EventPublisher> publishers;

    public PartsRunner(KubernetesClient client, Path sourceRoot, Function<MigrationJob, CopyEngine> engines,
                       ScheduledExecutorService ticker, Clock clock) {
        this(client, sourceRoot, engines, job -> EventPublisher.NONE, ticker, clock);
    }

    public PartsRunner(KubernetesClient client, Path sourceRoot, Function<MigrationJob, CopyEngine> engines,
                       Function<MigrationJob, EventPublisher> publishers, ScheduledExecutorService ticker, Clock clock) {
        this.publishers = publishers;
        this.client = client;
        this.sourceRoot = sourceRoot;
        this.engines = engines;
        this.ticker = ticker;
        this.clock = clock;
    }

    public void run(MigrationJob job, MigrationTask task, TaskFence fence, StopSignal stop)
            throws LostTaskException, InterruptedException {
        PartsScope scope = task.getSpec().parts;
        String invalid = invalid(scope);
        if (invalid != null) {
            failTask(fence, "invalid spec.parts: " + invalid);
            return;
        }
        CopyEngine engine = engines.apply(job);
        String key = ObjectKeys.keyOf(engine.prefix, scope.file.path);
        Path file;
        try {
            file = SourcePaths.within(SourcePaths.base(sourceRoot, job), scope.file.readPath());
        } catch (SourcePaths.OutsideSourceException e) {
            failTask(fence, FailureCode.PATH_OUTSIDE_SOURCE + ": " + e.getMessage());
            return;
        }
        TaskMotion motion = new TaskMotion(clock);
        FailureLog failureLog = FailureLog.of(engine.s3, engine.bucket, job, task.getMetadata().getName(), fence.epoch());
        PartsProgress progress = new PartsProgress(task.getStatus(), scope.firstPart == 1,
                scope.lastPart - scope.firstPart + 1, motion, failureLog::store);
        if (progress.countsTheFile()) {
            failureLog.startedFrom(progress.failed());
        }
        TaskProgressWriter writer = new TaskProgressWriter(fence, progress::version, progress::writeTo, clock,
                CopyRunner.HEARTBEAT_INTERVAL);
        StopSignal halt = stop.or(() -> writer.lost() != null).pausedWhileLapsed(engine.standing, writer::confirmHeld);
        LOG.info("{}: parts {}..{} of {} of {} into upload {}", task.getMetadata().getName(), scope.firstPart,
                scope.lastPart, scope.totalParts, scope.file.path, scope.uploadId);

        PartsUpload.Outcome outcome = null;
        ScheduledFuture<?> ticks = ticker.scheduleWithFixedDelay(writer::tick,
                CopyRunner.PROGRESS_INTERVAL.toMillis(), CopyRunner.PROGRESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        try {
            outcome = new PartsUpload(engine, scope, key, file, halt, progress, motion).run();
        } catch (CopyHalted e) {
            LOG.info("{}: {}; its upload is left for the next holder", task.getMetadata().getName(), e.getMessage());
        } catch (RetryableTaskException | SdkException e) {
            // The range may be stored already (a failed completion, raced by a sibling): record it before
            // the task goes back to Pending (waiting for the store, or with an attempt used), or a next run
            // that finds the object complete counts nothing.
            fence.update(progress::writeTo);
            if (e instanceof RetryableTaskException retryable) {
                throw retryable;
            }
            throw new RetryableTaskException("uploading parts of " + scope.file.path + " failed: "
                    + S3Errors.describe((SdkException) e), e);
        } finally {
            ticks.cancel(false);
        }
        writer.closeAndRethrowIfLost();
        if (outcome != null && outcome.kind() == PartsUpload.Outcome.Kind.COMPLETE && engine.marks != null
                && progress.countsTheFile()) {
            engine.marks.mark(file, key, null); // the task that reports the file marks it (its ETag is composite)
        }
        TaskEvents events = new TaskEvents(publishers.apply(job), job, task, fence.epoch(), engine.bucket);
        finish(task, fence, scope, progress, outcome, engine, key, new Ending(events, halt, key, engine.meters));
    }

    /**
     * How a Parts task ends with events: the task with part 1 announces the file (copied or failed),
     * every task its own end; the end is written only once the broker acknowledged them, and then
     * counted in the worker's file meters.
     */
    private record Ending(TaskEvents events, StopSignal halt, String key, FileMetrics meters) {
    }

    private void finish(MigrationTask task, TaskFence fence, PartsScope scope, PartsProgress progress,
                        PartsUpload.Outcome outcome, CopyEngine engine, String key, Ending ending)
            throws LostTaskException, InterruptedException {
        String name = fence.taskName();
        String path = scope.file.path;
        if (outcome == null) {
            fence.update(s -> {
                progress.writeTo(s);
                s.phase = TaskPhase.Pending;
                s.message = "released on worker shutdown";
            });
            LOG.info("task {} released", name);
            return;
        }
        switch (outcome.kind()) {
            case COMPLETE -> {
                progress.fileCopied();
                String message = progress.countsTheFile() ? "copied " + path + " in " + scope.totalParts + " parts"
                        : "parts " + scope.firstPart + ".." + scope.lastPart + " stored; the object is complete";
                announceFile(ending, scope, progress, EventType.FILE_COPIED, null, null);
                end(fence, progress, TaskPhase.Succeeded, message, ending);
            }
            case RANGE_STORED -> {
                if (!progress.countsTheFile()) {
                    end(fence, progress, TaskPhase.Succeeded, "parts " + scope.firstPart + ".." + scope.lastPart
                            + " stored; the task with part 1 reports the file", ending);
                    return;
                }
                String failedSibling = failedSibling(task, scope);
                if (failedSibling != null) {
                    String message = "Parts task " + failedSibling + " of this file failed; its parts will not be stored";
                    LOG.warn("{}: {}; aborting upload {}", path, message, scope.uploadId);
                    Uploads.abort(engine, key, scope.uploadId);
                    progress.fileFailed(path, FailureCode.PARTS_INCOMPLETE, message);
                    announceFile(ending, scope, progress, EventType.FILE_FAILED, FailureCode.PARTS_INCOMPLETE, message);
                    end(fence, progress, TaskPhase.Succeeded, FailureCode.PARTS_INCOMPLETE + ": " + message, ending);
                    return;
                }
                String waitMessage = "parts " + scope.firstPart + ".." + scope.lastPart
                        + " stored; waiting for the other Parts tasks of " + path;
                fence.update(s -> {
                    progress.writeTo(s);
                    s.phase = TaskPhase.Pending;
                    s.notBefore = clock.instant().plus(WAIT_FOR_SIBLINGS).toString();
                    s.message = waitMessage;
                });
                LOG.info("task {}: {}", name, waitMessage);
            }
            case FAILED -> {
                progress.fileFailed(path, outcome.code(), outcome.message());
                String suffix = progress.countsTheFile() ? "" : " (the task with part 1 counts the file)";
                announceFile(ending, scope, progress, EventType.FILE_FAILED, outcome.code(), outcome.message());
                // the file has its outcome, reported: not the task's failure
                end(fence, progress, TaskPhase.Succeeded, outcome.code() + ": " + outcome.message() + suffix, ending);
            }
        }
    }

    private static void announceFile(Ending ending, PartsScope scope, PartsProgress progress, EventType type,
                                     FailureCode code, String message) {
        if (progress.countsTheFile()) {
            ending.events().file(scope.file, ending.key(), type,
                    new FileFacts(null, null, null, null, code == null ? null : code.name(), message));
        }
    }

    /**
     * Writes the task's end once its events are acknowledged; a holder that must stop first releases
     * the task with what it stored (the next holder finds the range, or the object, and ends it).
     */
    private void end(TaskFence fence, PartsProgress progress, TaskPhase phase, String message, Ending ending)
            throws LostTaskException, InterruptedException {
        ending.events().taskFinished(phase, progress.files(), progress.copied(), 0, progress.failed(),
                progress.bytes(), message);
        if (!ending.events().awaitAcknowledged(ending.halt(), CopyRunner.EVENTS_POLL, () -> { })) {
            fence.update(s -> {
                progress.writeRangeTo(s);
                s.phase = TaskPhase.Pending;
                s.message = "released on worker shutdown while Kafka had not acknowledged the end of the task";
            });
            return;
        }
        fence.update(s -> {
            progress.writeTo(s);
            s.phase = phase;
            s.message = message;
        });
        progress.countIn(ending.meters());
        LOG.info("task {} {}: {}", fence.taskName(), phase, message);
    }

    /** A task that can never run (its spec is wrong): Failed at once, no attempt to spend. */
    private static void failTask(TaskFence fence, String message) throws LostTaskException {
        fence.update(s -> {
            s.phase = TaskPhase.Failed;
            s.message = message;
        });
    }

    /** The name of a Parts task of the same upload that ended Failed, or null. */
    private String failedSibling(MigrationTask task, PartsScope scope) {
        List<MigrationTask> siblings = client.resources(MigrationTask.class)
                .inNamespace(task.getMetadata().getNamespace())
                .withLabel(Ferry.JOB_LABEL, task.getSpec().jobName)
                .withLabel(Ferry.TASK_TYPE_LABEL, TaskType.Parts.name())
                .list().getItems();
        return siblings.stream()
                .filter(t -> !t.getMetadata().getName().equals(task.getMetadata().getName()))
                .filter(t -> t.getSpec().parts != null && Objects.equals(t.getSpec().parts.uploadId, scope.uploadId))
                .filter(t -> t.getStatus() != null && t.getStatus().phase == TaskPhase.Failed)
                .map(t -> t.getMetadata().getName())
                .findFirst().orElse(null);
    }

    private static String invalid(PartsScope p) {
        if (p == null || p.file == null || p.file.path == null || p.file.size == null || p.file.mtime == null) {
            return "the file (path, size, mtime) is missing";
        }
        if (p.uploadId == null || p.uploadId.isBlank()) {
            return "uploadId is missing";
        }
        if (p.partSize == null || p.partSize <= 0 || p.firstPart == null || p.lastPart == null || p.totalParts == null) {
            return "partSize, firstPart, lastPart and totalParts are required";
        }
        int count = PartSizes.partCount(p.file.size, p.partSize);
        if (count != p.totalParts || p.firstPart < 1 || p.lastPart < p.firstPart || p.lastPart > p.totalParts) {
            return "parts " + p.firstPart + ".." + p.lastPart + " of " + p.totalParts + " do not fit a file of "
                    + p.file.size + " bytes in parts of " + p.partSize;
        }
        return null;
    }
}
