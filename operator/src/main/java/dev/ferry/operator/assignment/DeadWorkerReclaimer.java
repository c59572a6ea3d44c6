package dev.ferry.operator.assignment;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes tasks back from workers that can no longer hold them: the pod is gone, or
 * {@link WorkerLiveness} finds the worker dead (pod being deleted, terminated, not Ready for longer
 * than the grace, or its Lease expired). The task goes back to Pending with a new
 * epoch — so a zombie holder's next write is refused — and one more attempt counted. Its progress
 * and checkpoint stay, so the next holder resumes.
 */
public final class DeadWorkerReclaimer {
    private static final Logger LOG = LoggerFactory.getLogger(DeadWorkerReclaimer.class);

    private final TaskStatusWriter writer;
    private final WorkerLiveness liveness;

    public DeadWorkerReclaimer(TaskStatusWriter writer, WorkerLiveness liveness) {
        this.writer = writer;
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
            if (why.isPresent() && takeBack(state, task, why.get())) {
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

    private boolean takeBack(JobState state, MigrationTask task, String why) {
        long epoch = Tasks.epoch(task) + 1;
        int attempts = Tasks.attempts(task) + 1;
        Optional<MigrationTask> written = writer.write(state, task, status -> {
            status.phase = TaskPhase.Pending;
            status.attempts = attempts;
            status.assignment = new MigrationTaskStatus.Assignment();
            status.assignment.epoch = epoch;
            status.message = "taken back: " + why;
            return status;
        });
        written.ifPresent(t -> LOG.info("job {}/{}: task {} taken back ({}), epoch {}, attempt {}",
                state.namespace(), state.name(), task.getMetadata().getName(), why, epoch, attempts));
        return written.isPresent();
    }
}
