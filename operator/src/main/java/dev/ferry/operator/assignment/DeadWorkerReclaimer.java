package dev.ferry.operator.assignment;

import dev.ferry.api.MigrationTask;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import dev.ferry.operator.status.JobEvents;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Takes tasks back from workers that can no longer hold them: the pod is gone, or
 * {@link WorkerLiveness} finds the worker dead (pod being deleted, terminated, not Ready for longer
 * than the grace, or its Lease expired). {@link TakeBack} decides what it costs: a holder that moved the
 * task forward, never started it or held it only briefly costs a takeback, one that held it and moved
 * nothing costs an attempt. Progress and checkpoint stay, so the next holder resumes. One Warning
 * {@value #TASKS_TAKEN_BACK} per pass says how many and why, never one per task.
 */
public final class DeadWorkerReclaimer {
    static final String TASKS_TAKEN_BACK = "TasksTakenBack";
    /** A node lost with many workers on it still makes one readable line. */
    private static final int REASONS_NAMED = 5;

    private final TakeBack takeBack;
    private final WorkerLiveness liveness;
    private final JobEvents events;

    public DeadWorkerReclaimer(TakeBack takeBack, WorkerLiveness liveness, JobEvents events) {
        this.takeBack = takeBack;
        this.liveness = liveness;
        this.events = events;
    }

    /** Returns how many tasks were taken back. */
    public int reclaim(JobState state) {
        Map<String, Pod> podsByUid = state.workerPods().stream()
                .collect(Collectors.toMap(WorkerPods::uid, Function.identity(), (a, b) -> a));
        Map<String, Integer> byReason = new TreeMap<>();
        for (MigrationTask task : state.tasks()) {
            if (!Tasks.phase(task).isHeld()) {
                continue;
            }
            Optional<String> why = whyLost(task, podsByUid, state);
            if (why.isPresent() && takeBack.disrupted(state, task, why.get())) {
                byReason.merge(why.get(), 1, Integer::sum);
            }
        }
        int reclaimed = byReason.values().stream().mapToInt(Integer::intValue).sum();
        if (reclaimed > 0) {
            String reasons = byReason.entrySet().stream().limit(REASONS_NAMED)
                    .map(e -> e.getValue() + " (" + e.getKey() + ")").collect(Collectors.joining(", "));
            events.warning(state.job(), TASKS_TAKEN_BACK, reclaimed + " task(s) taken back to be handed out again: "
                    + reasons + (byReason.size() > REASONS_NAMED
                            ? " and " + (byReason.size() - REASONS_NAMED) + " more reasons" : ""));
        }
        return reclaimed;
    }

    private Optional<String> whyLost(MigrationTask task, Map<String, Pod> podsByUid, JobState state) {
        String worker = task.getStatus().assignment == null ? null : task.getStatus().assignment.worker;
        Optional<String> uid = Tasks.holderUid(task);
        if (uid.isEmpty()) {
            return Optional.of("held by no worker");
        }
        Pod pod = podsByUid.get(uid.get());
        if (pod == null) {
            return Optional.of("worker " + worker + " is gone");
        }
        return liveness.whyDead(pod, state.leaseOf(pod), state.now());
    }
}
