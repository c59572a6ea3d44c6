package dev.ferry.operator.assignment;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.DestinationProblem;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The end of a job: when no task waits to be handed out, a task that sits Assigned (prefetched, not started)
 * behind a Running task of its worker for longer than {@code wait}, while another worker of the job can take
 * tasks and holds none, is moved to that worker: {@link TakeBack#moved} puts it back to Pending with a new epoch
 * (the busy worker, should it reach for it now, finds the epoch changed and leaves it) and {@link TaskAssigner}
 * hands it to the idle worker in the same reconcile. Nothing is counted — the holder never started it. One task
 * per idle worker per reconcile, oldest hand-out first. A worker holding only Assigned tasks is starting them,
 * not busy, so a moved task is never moved back and forth.
 */
public final class StragglerMover {
    private final TakeBack takeBack;
    private final WorkerLiveness liveness;
    private final Duration wait;

    public StragglerMover(TakeBack takeBack, WorkerLiveness liveness, Duration wait) {
        this.takeBack = takeBack;
        this.liveness = liveness;
        this.wait = wait;
    }

    /** Returns how many tasks were moved. */
    public int move(JobState state) {
        List<Pod> idle = idleWorkers(state);
        if (idle.isEmpty() || anyWaiting(state) || DestinationProblem.of(state.tasks(), state.workerClocks()).isPresent()) {
            return 0; // a paused destination gets one probe at a time, not more hand-outs
        }
        int moved = 0;
        for (MigrationTask task : stragglers(state)) {
            if (moved >= idle.size()) {
                break;
            }
            String holder = task.getStatus().assignment.worker;
            String why = "waited " + TakeBack.human(Duration.between(Tasks.since(task).orElseThrow(), state.now()))
                    + " behind worker " + holder + "'s running task(s) without being started, while worker "
                    + idle.get(moved).getMetadata().getName() + " holds nothing: no attempt, no takeback counted";
            if (takeBack.moved(state, task, why)) {
                moved++;
            }
        }
        return moved;
    }

    /** When a waiting task would become a straggler, if an idle worker is there to take it. */
    public Optional<Instant> nextDeadline(JobState state) {
        if (idleWorkers(state).isEmpty() || anyWaiting(state) || DestinationProblem.of(state.tasks(), state.workerClocks()).isPresent()) {
            return Optional.empty();
        }
        Set<String> busy = busyHolders(state.tasks());
        return state.tasks().stream()
                .filter(t -> Tasks.phase(t) == TaskPhase.Assigned)
                .filter(t -> Tasks.holderUid(t).map(busy::contains).orElse(false))
                .flatMap(t -> Tasks.since(t).stream())
                .map(since -> since.plus(wait))
                .filter(moment -> moment.isAfter(state.now()))
                .min(Instant::compareTo);
    }

    /** Assigned tasks behind a Running task of their holder for longer than the wait, oldest hand-out first. */
    private List<MigrationTask> stragglers(JobState state) {
        Set<String> busy = busyHolders(state.tasks());
        List<MigrationTask> found = new ArrayList<>();
        for (MigrationTask task : state.tasks()) {
            Optional<Instant> since = Tasks.since(task);
            if (Tasks.phase(task) == TaskPhase.Assigned && since.isPresent()
                    && Tasks.holderUid(task).map(busy::contains).orElse(false)
                    && !state.now().isBefore(since.get().plus(wait))) {
                found.add(task);
            }
        }
        found.sort(Comparator.comparing((MigrationTask t) -> Tasks.since(t).orElseThrow())
                .thenComparing(t -> t.getMetadata().getName()));
        return found;
    }

    /** Holders with a Running task: what they also hold waits for it. */
    private static Set<String> busyHolders(List<MigrationTask> tasks) {
        Set<String> busy = new HashSet<>();
        for (MigrationTask task : tasks) {
            if (Tasks.phase(task) == TaskPhase.Running) {
                Tasks.holderUid(task).ifPresent(busy::add);
            }
        }
        return busy;
    }

    /** Workers that may take tasks and hold none, by name. */
    private List<Pod> idleWorkers(JobState state) {
        Set<String> holding = new HashSet<>();
        for (MigrationTask task : state.tasks()) {
            if (Tasks.phase(task).isHeld()) {
                Tasks.holderUid(task).ifPresent(holding::add);
            }
        }
        return state.workerPods().stream()
                .filter(pod -> !holding.contains(WorkerPods.uid(pod)))
                .filter(pod -> liveness.canTakeTasks(pod, state.leaseOf(pod), state.now()))
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                .toList();
    }

    /** Pending tasks that may be handed out now go to idle workers first: nothing is a straggler yet. */
    private static boolean anyWaiting(JobState state) {
        return state.tasks().stream().anyMatch(t -> Tasks.phase(t) == TaskPhase.Pending
                && Tasks.notBefore(t, state.workerClocks()).map(nb -> !nb.isAfter(state.now())).orElse(true));
    }
}
