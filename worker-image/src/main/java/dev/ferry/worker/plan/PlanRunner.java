package dev.ferry.worker.plan;

import dev.ferry.api.EmptyDirectoryPolicy;
import dev.ferry.api.FailureCode;
import dev.ferry.api.GoDuration;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.Plurals;
import dev.ferry.api.Quantities;
import dev.ferry.api.SourceSpec;
import dev.ferry.api.TaskPhase;
import dev.ferry.worker.config.JobSettings;
import dev.ferry.worker.multipart.MultipartUploads;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.source.SourcePaths;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.RetryableTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.TaskFence;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Plan task: walks its directory in {@link PathOrder} ({@link SourceWalker}) and turns it into
 * Copy, Parts and child Plan tasks ({@link Planner}), recording after each one its progress and the
 * checkpoint. A reassigned plan walks again, skipping everything up to the checkpoint, and numbers on
 * from there; a task that exists already is taken as it is, so nothing is created twice and no file is
 * left out even if the tree changed. The plan ends Succeeded, or Failed when a directory could not be
 * listed; when the worker drains, or the job has no room for more tasks for a while, it is released
 * back to Pending with its checkpoint (the latter with a short backoff, so copies get the worker).
 */
public final class PlanRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PlanRunner.class);

    /** How long a plan polls for room in place, and how long a plan that gave up waits before it is handed out again. */
    public record Settings(Duration roomPoll, Duration roomWaitInPlace, Duration roomBackoff) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofSeconds(10));
    }

    private final KubernetesClient client;
    private final Path sourceRoot;
    private final ActiveTasks activeTasks;
    private final Function<MigrationJob, EndpointPool> stores;
    private final Clock clock;
    private final Settings settings;
    /** Test seam; set only by tests of this package. */
    volatile PlanHooks hooks = PlanHooks.NONE;

    /**
     * @param stores the job's S3 gateways, asked for only when a plan looks whether its destination folder is
     *               empty (overwrite IfDifferent, {@link FreshDestination}), writes a manifest or starts a
     *               multipart upload
     */
    public PlanRunner(KubernetesClient client, Path sourceRoot, ActiveTasks activeTasks,
                      Function<MigrationJob, EndpointPool> stores, Clock clock) {
        this(client, sourceRoot, activeTasks, stores, clock, Settings.DEFAULT);
    }

    public PlanRunner(KubernetesClient client, Path sourceRoot, ActiveTasks activeTasks,
                      Function<MigrationJob, EndpointPool> stores, Clock clock, Settings settings) {
        this.client = client;
        this.sourceRoot = sourceRoot;
        this.activeTasks = activeTasks;
        this.stores = stores;
        this.clock = clock;
        this.settings = settings;
    }

    /** Runs the plan to its end (Succeeded/Failed) or releases it with its checkpoint. */
    public void run(MigrationJob job, MigrationTask task, TaskFence fence, StopSignal stop) throws LostTaskException {
        Path base = SourcePaths.base(sourceRoot, job);
        String directory = SourcePaths.relative(task.getSpec().plan == null ? "" : task.getSpec().plan.directory);
        PlanState state = new PlanState(task.getStatus());
        Supplier<EndpointPool> store = lazily(() -> stores.apply(job));
        PlanFindingsLog findings = new PlanFindingsLog(store, job, task.getMetadata().getName(), fence.epoch(), state);
        if (!directory.isEmpty()) {
            try {
                SourcePaths.within(base, directory);
            } catch (SourcePaths.OutsideSourceException e) {
                finish(fence, state, findings, TaskPhase.Failed, FailureCode.PATH_OUTSIDE_SOURCE + ": " + e.getMessage());
                return;
            }
        }
        if (!Files.isDirectory(base.resolve(directory))) {
            if (!Files.isDirectory(sourceRoot)) {
                throw new RetryableTaskException("the source volume is not mounted at " + sourceRoot);
            }
            if (directory.isEmpty()) {
                finish(fence, state, findings, TaskPhase.Failed, rootIsNoDirectory(job, base));
            } else {
                // handed off by a parent plan and deleted since: its files are gone, none is missed
                finish(fence, state, findings, TaskPhase.Succeeded, "directory " + directory + " no longer exists: nothing to plan");
            }
            return;
        }
        Planner planner = planner(job, task, fence, state, findings, store, stop, base, directory);
        LOG.info("planning {} from {} (resuming after {} tasks, checkpoint {})", task.getMetadata().getName(),
                base.resolve(directory), state.tasksCreated, state.checkpoint);
        try {
            planner.finishInterruptedHandOff();
            new SourceWalker(base, policy(job, clock)).walk(directory, () -> state.checkpoint, planner);
            planner.flushAll();
        } catch (PlanPaused e) {
            release(fence, state, findings, e);
            return;
        } catch (LostTaskException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RetryableTaskException("planning failed: " + e.getMessage(), e);
        }
        state.commitAll();
        String summary = "planned " + Plurals.files(state.total) + " (" + Quantities.humanBytes(state.totalBytes) + ") in "
                + Plurals.of(state.tasksCreated, "task", "tasks") + (state.skipped > 0 ? "; " + state.skipped
                + " entries left out by policy (status.skippedEntries; the job's audit lists each one in its left-out report)" : "");
        if (state.failed > 0) {
            finish(fence, state, findings, TaskPhase.Failed, summary + "; " + state.failed + " directories could not be read");
        } else {
            finish(fence, state, findings, TaskPhase.Succeeded, summary);
        }
    }

    private Planner planner(MigrationJob job, MigrationTask task, TaskFence fence, PlanState state,
                            PlanFindingsLog findings, Supplier<EndpointPool> store, StopSignal stop, Path base,
                            String directory) {
        String planName = task.getMetadata().getName();
        String namespace = job.getMetadata().getNamespace();
        JobSettings jobSettings = JobSettings.of(job);
        TaskStore tasks = new TaskStore(client, namespace, job.getMetadata().getName());
        TaskFactory factory = new TaskFactory(job, planName, store, FreshDestination.of(job, state, directory, store));
        // one plan per worker beside the root: planning in parallel, never every task slot of the job
        ChildPlans children = new ChildPlans(job.getMetadata().getName(), tasks, factory, jobSettings.replicas() + 1);
        Room room = new Room(activeTasks, jobSettings.maxActive(), jobSettings.historyLimit(), stop, settings.roomPoll(),
                settings.roomWaitInPlace());
        MultipartUploads uploads = new MultipartUploads(store, job.getSpec().destination, base,
                jobSettings.objectWriter());
        return new Planner(new PlanContext(job, jobSettings, planName, fence, state, findings, stop, room, tasks, factory, children,
                uploads, store, hooks));
    }

    /** The walk policy of a job: what planning walks, and what the source audit walks again. */
    public static SourceWalker.Policy policy(MigrationJob job, Clock clock) {
        SourceSpec source = job.getSpec().source;
        Instant newest = source.minFileAge == null || source.minFileAge.isBlank() ? null
                : clock.instant().minus(GoDuration.parse(source.minFileAge));
        return new SourceWalker.Policy(PathFilter.of(source.include, source.exclude), source.effectiveSymlinks(),
                source.emptyDirectoriesOrDefault() == EmptyDirectoryPolicy.Marker, newest);
    }

    /** Why the job's source path cannot be planned, in the spec's words (the mount path alone says little). */
    static String rootIsNoDirectory(MigrationJob job, Path base) {
        String path = job.getSpec().source.pathOrRoot();
        if (Files.exists(base)) {
            return "spec.source.path " + path + " is not a directory (" + base + "): name the directory to migrate;"
                    + " for one file, name its directory and include only the file's name";
        }
        return "source directory " + base + " does not exist (spec.source.path " + path + " in claim "
                + job.getSpec().source.pvc + ")";
    }

    /** The job's gateways, asked for once and only when first needed. */
    private static Supplier<EndpointPool> lazily(Supplier<EndpointPool> stores) {
        return new Supplier<>() {
            private EndpointPool pool;

            @Override
            public synchronized EndpointPool get() {
                if (pool == null) {
                    pool = stores.get();
                }
                return pool;
            }
        };
    }

    private void finish(TaskFence fence, PlanState state, PlanFindingsLog findings, TaskPhase phase, String message)
            throws LostTaskException {
        findings.finish(state);
        fence.update(s -> {
            state.writeTo(s);
            s.phase = phase;
            s.message = message;
        });
        LOG.info("plan {} {}: {}", fence.taskName(), phase, message);
    }

    private void release(TaskFence fence, PlanState state, PlanFindingsLog findings, PlanPaused why)
            throws LostTaskException {
        findings.store(state);
        Instant notBefore = why.why == PlanPaused.Why.NO_ROOM ? clock.instant().plus(settings.roomBackoff()) : null;
        String message = why.why == PlanPaused.Why.NO_ROOM
                ? "released to make room for copies (" + why.getMessage() + ") after " + state.tasksCreated + " tasks"
                : "released on worker shutdown after " + state.tasksCreated + " tasks";
        fence.update(s -> {
            state.writeTo(s);
            s.phase = TaskPhase.Pending;
            s.notBefore = notBefore == null ? null : notBefore.toString();
            s.message = message;
        });
        LOG.info("plan {} {}; checkpoint {}", fence.taskName(), message, state.checkpoint);
    }
}
