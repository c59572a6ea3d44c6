package dev.ferry.worker.plan;

import dev.ferry.api.FileEntry;
import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.Quantities;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TasksSpec;
import dev.ferry.worker.LostTaskException;
import dev.ferry.worker.RetryableTaskException;
import dev.ferry.worker.SourcePaths;
import dev.ferry.worker.StopSignal;
import dev.ferry.worker.TaskFence;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Plan task: walks its directory in {@link PathOrder} and cuts the files into Copy tasks of at
 * most {@code maxFiles} files and {@code maxBytes} bytes, named {@code <plan>-00001}, ... After each
 * created task the plan's progress records the count and the last path emitted; a reassigned plan
 * walks again, skipping everything up to that checkpoint, and numbers on from there. A task that
 * already exists (created just before a crash, before the progress write) is taken as it is: its
 * files are the truth, so nothing is created twice and no file is left out even if the tree changed.
 */
public final class PlanRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PlanRunner.class);
    static final Duration ROOM_POLL = Duration.ofSeconds(1);
    static final Duration HEARTBEAT_WHILE_WAITING = Duration.ofSeconds(15);

    private final KubernetesClient client;
    private final Path sourceRoot;
    private final ActiveTasks activeTasks;

    public PlanRunner(KubernetesClient client, Path sourceRoot, ActiveTasks activeTasks) {
        this.client = client;
        this.sourceRoot = sourceRoot;
        this.activeTasks = activeTasks;
    }

    /** Runs the plan to its end (Succeeded/Failed) or, when stopped, releases it with its checkpoint. */
    public void run(MigrationJob job, MigrationTask task, TaskFence fence, StopSignal stop) throws LostTaskException {
        Path base = SourcePaths.base(sourceRoot, job);
        String directory = SourcePaths.relative(task.getSpec().plan == null ? "" : task.getSpec().plan.directory);
        if (!Files.isDirectory(base.resolve(directory))) {
            if (!Files.isDirectory(sourceRoot)) {
                throw new RetryableTaskException("the source volume is not mounted at " + sourceRoot);
            }
            finish(fence, new PlanState(task.getStatus()), TaskPhase.Failed,
                    "source directory " + base.resolve(directory) + " does not exist");
            return;
        }
        PlanState state = new PlanState(task.getStatus());
        Cutter cutter = new Cutter(job, task.getMetadata().getName(), fence, state, stop);
        LOG.info("planning {} from {} (resuming after {} tasks, checkpoint {})", task.getMetadata().getName(),
                base.resolve(directory), state.tasksCreated, state.checkpoint);
        SourceWalker walker = new SourceWalker(base,
                PathFilter.of(job.getSpec().source.include, job.getSpec().source.exclude));
        try {
            walker.walk(directory, () -> state.checkpoint, cutter);
            cutter.flushAll();
        } catch (Stopped e) {
            release(fence, state);
            return;
        } catch (LostTaskException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RetryableTaskException("planning failed: " + e.getMessage(), e);
        }
        String summary = "planned " + state.total + " files (" + Quantities.humanBytes(state.totalBytes) + ") in "
                + state.tasksCreated + " tasks";
        if (state.failed > 0) {
            finish(fence, state, TaskPhase.Failed, summary + "; " + state.failed + " directories could not be read");
        } else {
            finish(fence, state, TaskPhase.Succeeded, summary);
        }
    }

    private void finish(TaskFence fence, PlanState state, TaskPhase phase, String message) throws LostTaskException {
        fence.update(s -> {
            state.writeTo(s);
            s.phase = phase;
            s.message = message;
        });
        LOG.info("plan {} {}: {}", fence.taskName(), phase, message);
    }

    private void release(TaskFence fence, PlanState state) throws LostTaskException {
        fence.update(s -> {
            state.writeTo(s);
            s.phase = TaskPhase.Pending;
            s.message = "released on worker shutdown after " + state.tasksCreated + " tasks";
        });
        LOG.info("plan {} released with checkpoint {}", fence.taskName(), state.checkpoint);
    }

    /** The plan's durable state: what is recorded in its status after each created task. */
    private static final class PlanState {
        int tasksCreated;
        volatile String checkpoint;
        long total;
        long totalBytes;
        long failed;
        final List<FileFailure> failures = new ArrayList<>();

        PlanState(MigrationTaskStatus status) {
            MigrationTaskStatus.Progress p = status == null ? null : status.progress;
            if (p != null) {
                tasksCreated = p.tasksCreated == null ? 0 : p.tasksCreated;
                checkpoint = p.checkpoint;
                total = p.total == null ? 0 : p.total;
                totalBytes = p.totalBytes == null ? 0 : p.totalBytes;
                failed = p.failed;
            }
            if (status != null && status.failures != null) {
                failures.addAll(status.failures);
            }
        }

        void writeTo(MigrationTaskStatus s) {
            MigrationTaskStatus.Progress p = new MigrationTaskStatus.Progress();
            p.tasksCreated = tasksCreated;
            p.checkpoint = checkpoint;
            p.total = total;
            p.totalBytes = totalBytes;
            p.failed = failed;
            s.progress = p;
            s.failures = failures.isEmpty() ? null : List.copyOf(failures);
        }
    }

    /** Thrown inside the walk to stop it when the worker drains. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    /** Cuts the walk into Copy tasks and records each one. */
    private final class Cutter implements SourceWalker.Visitor {
        private final MigrationJob job;
        private final String planName;
        private final TaskFence fence;
        private final PlanState state;
        private final StopSignal stop;
        private final int maxFiles;
        private final long maxBytes;
        private final int maxActive;
        private List<FileEntry> batch = new ArrayList<>();
        private long batchBytes;

        Cutter(MigrationJob job, String planName, TaskFence fence, PlanState state, StopSignal stop) {
            TasksSpec tasks = job.getSpec().tasksOrDefaults();
            this.job = job;
            this.planName = planName;
            this.fence = fence;
            this.state = state;
            this.stop = stop;
            this.maxFiles = tasks.maxFilesOrDefault();
            this.maxBytes = tasks.maxBytesOrUnlimited();
            this.maxActive = tasks.maxActiveOrDefault();
        }

        @Override
        public void file(FileEntry entry) throws LostTaskException {
            if (stop.stopRequested()) {
                throw new Stopped();
            }
            if (!batch.isEmpty() && batchBytes + entry.sizeOrZero() > maxBytes) {
                emit();
            }
            batch.add(entry);
            batchBytes += entry.sizeOrZero();
            while (batch.size() >= maxFiles) {
                emit();
            }
        }

        @Override
        public void unreadableDirectory(String relativePath, IOException cause) {
            LOG.warn("cannot list directory {}: {}", relativePath, cause.toString());
            state.failed++;
            if (state.failures.size() < MigrationTaskStatus.MAX_FAILURES_IN_STATUS) {
                state.failures.add(new FileFailure(relativePath, "ACCESS_DENIED",
                        "directory cannot be listed: " + cause));
            }
        }

        void flushAll() throws LostTaskException {
            while (!batch.isEmpty()) {
                emit();
            }
        }

        /** Creates the next task from (the head of) the batch and records it in the plan's progress. */
        private void emit() throws LostTaskException {
            waitForRoom();
            int n = state.tasksCreated + 1;
            String name = CopyTasks.name(planName, n);
            List<FileEntry> take = batch.size() > maxFiles ? batch.subList(0, maxFiles) : batch;
            List<FileEntry> covered = create(name, List.copyOf(take));
            String last = covered.isEmpty() ? state.checkpoint : covered.get(covered.size() - 1).path;
            // the task's files are the truth: keep only what it does not cover for the next one
            List<FileEntry> rest = new ArrayList<>();
            long restBytes = 0;
            for (FileEntry f : batch) {
                if (last == null || PathOrder.compare(f.path, last) > 0) {
                    rest.add(f);
                    restBytes += f.sizeOrZero();
                }
            }
            batch = rest;
            batchBytes = restBytes;
            state.tasksCreated = n;
            if (last != null && (state.checkpoint == null || PathOrder.compare(last, state.checkpoint) > 0)) {
                state.checkpoint = last;
            }
            state.total += covered.size();
            state.totalBytes += covered.stream().mapToLong(FileEntry::sizeOrZero).sum();
            fence.update(state::writeTo);
            LOG.debug("created {} with {} files, checkpoint {}", name, covered.size(), state.checkpoint);
        }

        /** Creates the task; returns the files it covers (an existing task's own list when it was there). */
        private List<FileEntry> create(String name, List<FileEntry> files) {
            MigrationTask copy = CopyTasks.copyTask(job, name, files);
            for (int attempt = 0; ; attempt++) {
                try {
                    client.resources(MigrationTask.class).inNamespace(job.getMetadata().getNamespace())
                            .resource(copy).create();
                    return files;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt > 3) {
                        throw e;
                    }
                }
                MigrationTask existing = client.resources(MigrationTask.class)
                        .inNamespace(job.getMetadata().getNamespace()).withName(name).get();
                if (existing != null) {
                    LOG.info("task {} exists already (created before a reassignment): keeping it", name);
                    return existing.getSpec().files == null ? files : existing.getSpec().files;
                }
            }
        }

        private void waitForRoom() throws LostTaskException {
            long waitedMillis = 0;
            while (activeTasks.unfinished() >= maxActive) {
                if (stop.stopRequested()) {
                    throw new Stopped();
                }
                if (waitedMillis == 0) {
                    LOG.info("{} unfinished tasks reach maxActive {}: planning waits", activeTasks.unfinished(),
                            maxActive);
                }
                try {
                    Thread.sleep(ROOM_POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Stopped();
                }
                waitedMillis += ROOM_POLL.toMillis();
                if (waitedMillis % HEARTBEAT_WHILE_WAITING.toMillis() == 0) {
                    fence.update(s -> { }); // a heartbeat: the plan is alive, only waiting
                }
            }
        }
    }
}
