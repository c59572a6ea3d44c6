package dev.ferry.operator.assignment;

import dev.ferry.api.MigrationTask;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Takes tasks back from workers that can no longer hold them: the pod is gone, or
 * {@link WorkerLiveness} finds the worker dead (pod being deleted, terminated, not Ready for longer
 * than the grace, or its Lease expired). {@link TakeBack} decides what it costs: a holder that moved the
 * task forward, never started it or held it only briefly costs a takeback, one that held it and moved
 * nothing costs an attempt. Progress and checkpoint stay, so the next holder resumes.
 */
public final class DeadWorkerReclaimer {
    private final TakeBack takeBack;
    private final WorkerLiveness liveness;

    public DeadWorkerReclaimer(TakeBack takeBack, WorkerLiveness liveness) {
        this.takeBack = takeBack;
        this.liveness = liveness;
    }

    /** Returns how many tasks were taken back. */
    public int reclaim(JobState state) {
        Map<String, Pod> podsByUid = state.workerPods().stream()
                .collect(Collectors.toMap(WorkerPods::uid, Function.identity(), (a, b) -> a));
        int reclaimed = 0;
        for (MigrationTask task : state.tasks()) {
            if (!Tasks.phase(task).isHeld()) {
                continue;
            }
            Optional<String> why = whyLost(task, podsByUid, state);
            if (why.isPresent() && takeBack.disrupted(state, task, why.get())) {
                reclaimed++;
            }
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
