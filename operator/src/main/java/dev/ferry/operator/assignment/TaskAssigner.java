package dev.ferry.operator.assignment;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands Pending tasks to live, Ready workers (see {@link WorkerLiveness}): Plan tasks first (they create the work), then the rest in
 * name order; each to the worker with the fewest active tasks of its kind. A worker holds at most
 * {@code prefetch} Copy and Parts tasks and, on top of them, at most one Plan task: a plan is long and
 * mostly waits on round trips, and counted against the prefetch it left a one-worker job copying one
 * task at a time for the whole of planning, with a hand-over gap after each (measured: 15 s of a 50 s run).
 * The worker's task slots (default 3) are sized for exactly that: two copies and one plan.
 * A task that used up its attempts is Failed instead. Each hand-out raises the epoch, the fencing
 * token the holder checks before every write.
 */
public final class TaskAssigner {
    private static final Logger LOG = LoggerFactory.getLogger(TaskAssigner.class);

    /** Plan tasks before the copies they enable; then by name, the order planning created them in. */
    static final Comparator<MigrationTask> QUEUE_ORDER = Comparator
            .comparing((MigrationTask t) -> Tasks.type(t) == TaskType.Plan ? 0 : 1)
            .thenComparing(t -> t.getMetadata().getName());

    /** Plan tasks one worker holds at most, besides its prefetch of copies. */
    static final int PLANS_PER_WORKER = 1;

    private final TaskStatusWriter writer;
    private final int prefetch;
    private final WorkerLiveness liveness;

    public TaskAssigner(TaskStatusWriter writer, int prefetch, WorkerLiveness liveness) {
        this.writer = writer;
        this.prefetch = prefetch;
        this.liveness = liveness;
    }

    /** What one pass did, for status and rescheduling. */
    public record Outcome(int assigned, int failed, int waiting, Optional<Instant> nextBackoffEnd) {
    }

    public Outcome assign(JobState state) {
        int maxAttempts = state.job().getSpec().tasksOrDefaults().maxAttemptsOrDefault();
        List<Pod> ready = state.workerPods().stream()
                .filter(pod -> liveness.canTakeTasks(pod, state.leaseOf(pod), state.now())).toList();
        Map<String, Load> load = activeTasksByWorker(state.tasks());
        int assigned = 0;
        int failed = 0;
        int waiting = 0;
        Optional<Instant> nextBackoffEnd = Optional.empty();
        for (MigrationTask task : queue(state.tasks())) {
            Optional<Instant> notBefore = Tasks.notBefore(task).filter(t -> t.isAfter(state.now()));
            if (notBefore.isPresent()) {
                waiting++;
                nextBackoffEnd = earliest(nextBackoffEnd, notBefore.get());
                continue;
            }
            if (Tasks.attempts(task) >= maxAttempts) {
                if (fail(state, task, maxAttempts)) {
                    failed++;
                }
                continue;
            }
            boolean plan = Tasks.type(task) == TaskType.Plan;
            Optional<Pod> worker = pickWorker(ready, load, plan ? PLANS_PER_WORKER : prefetch, plan);
            if (worker.isEmpty()) {
                waiting++;
                continue;
            }
            if (handOut(state, task, worker.get())) {
                load.merge(WorkerPods.uid(worker.get()), plan ? Load.PLAN : Load.COPY, Load::plus);
                assigned++;
            }
        }
        return new Outcome(assigned, failed, waiting, nextBackoffEnd);
    }

    /** Pending tasks in the order they are handed out. */
    static List<MigrationTask> queue(List<MigrationTask> tasks) {
        return tasks.stream().filter(t -> Tasks.phase(t) == TaskPhase.Pending).sorted(QUEUE_ORDER).toList();
    }

    /** Assigned and Running tasks of one worker: Copy and Parts tasks, and Plan tasks. */
    record Load(int copies, int plans) {
        static final Load NONE = new Load(0, 0);
        static final Load COPY = new Load(1, 0);
        static final Load PLAN = new Load(0, 1);

        Load plus(Load other) {
            return new Load(copies + other.copies, plans + other.plans);
        }

        int of(boolean plan) {
            return plan ? plans : copies;
        }
    }

    /** Assigned and Running tasks per holder pod UID. */
    static Map<String, Load> activeTasksByWorker(List<MigrationTask> tasks) {
        Map<String, Load> load = new HashMap<>();
        for (MigrationTask task : tasks) {
            if (Tasks.phase(task).isHeld()) {
                Load one = Tasks.type(task) == TaskType.Plan ? Load.PLAN : Load.COPY;
                Tasks.holderUid(task).ifPresent(uid -> load.merge(uid, one, Load::plus));
            }
        }
        return load;
    }

    /**
     * The worker with the fewest active tasks of the kind below {@code limit} (of Plan tasks when
     * {@code plan}, else of Copy and Parts tasks); ties go to the fewer tasks of the other kind, then to
     * the first by name.
     */
    static Optional<Pod> pickWorker(List<Pod> ready, Map<String, Load> load, int limit, boolean plan) {
        return ready.stream()
                .filter(p -> loadOf(load, p).of(plan) < limit)
                .min(Comparator.comparing((Pod p) -> loadOf(load, p).of(plan))
                        .thenComparing(p -> loadOf(load, p).of(!plan))
                        .thenComparing(p -> p.getMetadata().getName()));
    }

    private static Load loadOf(Map<String, Load> load, Pod pod) {
        return load.getOrDefault(WorkerPods.uid(pod), Load.NONE);
    }

    private boolean handOut(JobState state, MigrationTask task, Pod worker) {
        long epoch = Tasks.epoch(task) + 1;
        Optional<MigrationTask> written = writer.write(state, task, status -> {
            status.phase = TaskPhase.Assigned;
            status.attempts = status.attemptsOrZero();
            status.notBefore = null;
            status.assignment = new MigrationTaskStatus.Assignment();
            status.assignment.worker = worker.getMetadata().getName();
            status.assignment.podUid = WorkerPods.uid(worker);
            status.assignment.epoch = epoch;
            status.assignment.since = state.now().toString();
            status.message = "assigned to " + worker.getMetadata().getName();
            return status;
        });
        written.ifPresent(t -> LOG.info("job {}/{}: task {} assigned to {} (epoch {})", state.namespace(), state.name(),
                task.getMetadata().getName(), worker.getMetadata().getName(), epoch));
        return written.isPresent();
    }

    private boolean fail(JobState state, MigrationTask task, int maxAttempts) {
        int attempts = Tasks.attempts(task);
        String previous = task.getStatus() == null ? null : task.getStatus().message;
        String message = "gave up after " + attempts + " attempts (spec.tasks.maxAttempts is " + maxAttempts + ")"
                + (previous == null || previous.isBlank() ? "" : "; last: " + previous);
        Optional<MigrationTask> written = writer.write(state, task, status -> {
            status.phase = TaskPhase.Failed;
            status.message = message;
            status.failures = UnfinishedFiles.of(task, "not migrated: the task " + message);
            return status;
        });
        written.ifPresent(t -> LOG.warn("job {}/{}: task {} failed: {}", state.namespace(), state.name(),
                task.getMetadata().getName(), message));
        return written.isPresent();
    }

    private static Optional<Instant> earliest(Optional<Instant> current, Instant candidate) {
        return current.filter(c -> c.isBefore(candidate)).or(() -> Optional.of(candidate));
    }
}
