package dev.ferry.operator.assignment;

import dev.ferry.api.FailureCode;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.metrics.AssignmentMetrics;
import dev.ferry.operator.state.DestinationProblem;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
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
 * token the holder checks before every write. A pass decides all its hand-outs first, then writes them
 * side by side ({@link TaskStatusWriter#writeAll}).
 *
 * <p>While the job's destination is unavailable ({@link DestinationProblem}: its holders hand tasks back with a
 * {@code storeError}), hand-out pauses: one task at a time goes out as a probe, at most once per
 * {@code probeInterval}, and only when no task of the job is held — a held task meets the store anyway. The
 * first probe (or any task) that moves forward ends the problem, and hand-out resumes by itself.
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
    private final Duration probeInterval;
    private final AssignmentMetrics meters;

    public TaskAssigner(TaskStatusWriter writer, int prefetch, WorkerLiveness liveness, Duration probeInterval) {
        this(writer, prefetch, liveness, probeInterval, AssignmentMetrics.NONE);
    }

    /** @param meters counts each hand-out written ({@code ferry_task_handouts_total}) */
    public TaskAssigner(TaskStatusWriter writer, int prefetch, WorkerLiveness liveness, Duration probeInterval,
                        AssignmentMetrics meters) {
        this.writer = writer;
        this.prefetch = prefetch;
        this.liveness = liveness;
        this.probeInterval = probeInterval;
        this.meters = meters;
    }

    /**
     * What one pass did, for status and rescheduling.
     *
     * @param nextLook when the pass would decide otherwise without any event: a backoff ends, or the next probe
     *        of a paused destination is due
     */
    public record Outcome(int assigned, int failed, int waiting, Optional<Instant> nextLook) {
    }

    public Outcome assign(JobState state) {
        int maxAttempts = state.job().getSpec().tasksOrDefaults().maxAttemptsOrDefault();
        List<Pod> ready = state.workerPods().stream()
                .filter(pod -> liveness.canTakeTasks(pod, state.leaseOf(pod), state.now())).toList();
        Map<String, Load> load = activeTasksByWorker(state.tasks());
        List<HandOut> handOuts = new ArrayList<>();
        int failed = 0;
        int waiting = 0;
        HandOutBudget budget = budget(state);
        Optional<Instant> nextLook = budget.nextProbe();
        boolean noCopySlots = false;
        boolean noPlanSlots = false;
        for (MigrationTask task : queue(state.tasks())) {
            Optional<Instant> notBefore = Tasks.notBefore(task, state.workerClocks()).filter(t -> t.isAfter(state.now()));
            if (notBefore.isPresent()) {
                waiting++;
                nextLook = earliest(nextLook, notBefore.get());
                continue;
            }
            if (Tasks.attempts(task) >= maxAttempts) {
                if (fail(state, task, maxAttempts)) {
                    failed++;
                }
                continue;
            }
            boolean plan = Tasks.type(task) == TaskType.Plan;
            // Once no worker has room for a kind, none will in this pass (slots only fill): the thousands of
            // Pending tasks behind a full window are counted as waiting without looking at the workers again.
            Optional<Pod> worker = (plan ? noPlanSlots : noCopySlots) ? Optional.empty()
                    : pickWorker(ready, load, plan ? PLANS_PER_WORKER : prefetch, plan);
            if (worker.isEmpty()) {
                noPlanSlots |= plan;
                noCopySlots |= !plan;
            }
            if (worker.isEmpty() || handOuts.size() >= budget.handOuts()) {
                waiting++;
                continue;
            }
            // The slot counts as taken from the decision on: a hand-out that loses its race leaves it empty
            // until the next reconcile, which the racing write's event brings.
            load.merge(WorkerPods.uid(worker.get()), plan ? Load.PLAN : Load.COPY, Load::plus);
            handOuts.add(new HandOut(task, worker.get()));
        }
        return new Outcome(handOut(state, handOuts, budget.note()), failed, waiting, nextLook);
    }

    /** A Pending task and the worker this pass gives it to. */
    private record HandOut(MigrationTask task, Pod worker) {
    }

    /**
     * How many tasks one pass may hand out: every one a worker has room for; while the destination is
     * unavailable, one probe when it is due.
     *
     * @param note what the hand-out message adds
     * @param nextProbe when the next probe is due, if it is later
     */
    private record HandOutBudget(int handOuts, String note, Optional<Instant> nextProbe) {
    }

    /**
     * A paused destination gets a probe {@code probeInterval} after the job's last hand-out, and never while a
     * task of the job is held: a held task meets the store anyway, and its hand-back or progress is an event.
     */
    private HandOutBudget budget(JobState state) {
        Optional<DestinationProblem> problem = DestinationProblem.of(state.tasks(), state.workerClocks());
        if (problem.isEmpty()) {
            return new HandOutBudget(Integer.MAX_VALUE, "", Optional.empty());
        }
        String note = " to probe the destination (" + problem.get().code() + ")";
        if (state.tasks().stream().anyMatch(t -> Tasks.phase(t).isHeld())) {
            return new HandOutBudget(0, note, Optional.empty());
        }
        Optional<Instant> due = state.tasks().stream()
                .flatMap(t -> Tasks.since(t).stream())
                .max(Instant::compareTo)
                .map(last -> last.plus(probeInterval))
                .filter(moment -> moment.isAfter(state.now()));
        return new HandOutBudget(due.isPresent() ? 0 : 1, note, due);
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

    /** Writes the hand-outs, side by side; returns how many were written. */
    private int handOut(JobState state, List<HandOut> handOuts, String note) {
        List<TaskStatusWriter.Change> changes = new ArrayList<>(handOuts.size());
        for (HandOut handOut : handOuts) {
            changes.add(new TaskStatusWriter.Change(handOut.task(), assigned(state, handOut, note)));
        }
        List<Optional<MigrationTask>> written = writer.writeAll(state, changes);
        int assigned = 0;
        for (int i = 0; i < handOuts.size(); i++) {
            if (written.get(i).isEmpty()) {
                continue;
            }
            assigned++;
            meters.handedOut();
            HandOut handOut = handOuts.get(i);
            // One line per hand-out: DEBUG, as a job hands out thousands (the task's message says it too).
            LOG.debug("job {}/{}: task {} assigned to {} (epoch {})", state.namespace(), state.name(),
                    handOut.task().getMetadata().getName(), handOut.worker().getMetadata().getName(),
                    Tasks.epoch(handOut.task()) + 1);
        }
        return assigned;
    }

    /** The task Assigned to the worker, with the next epoch. */
    private static UnaryOperator<MigrationTaskStatus> assigned(JobState state, HandOut handOut, String note) {
        long epoch = Tasks.epoch(handOut.task()) + 1;
        Pod worker = handOut.worker();
        return status -> {
            status.phase = TaskPhase.Assigned;
            status.attempts = status.attemptsOrZero();
            status.notBefore = null;
            status.assignment = new MigrationTaskStatus.Assignment();
            status.assignment.worker = worker.getMetadata().getName();
            status.assignment.podUid = WorkerPods.uid(worker);
            status.assignment.epoch = epoch;
            status.assignment.since = state.now().toString();
            status.message = "assigned to " + worker.getMetadata().getName() + note;
            return status;
        };
    }

    private boolean fail(JobState state, MigrationTask task, int maxAttempts) {
        int attempts = Tasks.attempts(task);
        String previous = task.getStatus() == null ? null : task.getStatus().message;
        String message = "gave up after " + attempts + " attempts (spec.tasks.maxAttempts is " + maxAttempts + ")"
                + (previous == null || previous.isBlank() ? "" : "; last: " + previous);
        Optional<MigrationTask> written = writer.write(state, task, status -> {
            status.phase = TaskPhase.Failed;
            status.message = message;
            status.failures = UnfinishedFiles.of(task, FailureCode.TASK_FAILED, "not migrated: the task " + message);
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
