package dev.ferry.operator.lifecycle;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.Owners;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an earlier job of the same name left: the informers find a job's tasks, worker pods and Deployment by
 * the job's name (its label, the Deployment's name), and a job deleted and applied again is another job under
 * that name. The API server's garbage collector deletes what the first one owned, but after it, in the
 * background: until then the new job would find the old root plan (Succeeded, perhaps), take its create's 409
 * for its own and finish without copying a file, and hand tasks to the old workers.
 *
 * <p>A job's own objects are the ones it controls (its UID in the controller reference) and, for pods, whose
 * owner is a ReplicaSet the operator does not watch, the ones created no earlier than the job. This splits what
 * one reconcile observed into the job's and the leftovers ({@link EarlierJobCleanup} deletes those and waits).
 */
public final class EarlierJobLeftovers {
    private static final EarlierJobLeftovers NONE = new EarlierJobLeftovers(List.of(), null, List.of());

    private final List<MigrationTask> tasks;
    private final Deployment deployment;
    private final List<Pod> pods;

    private EarlierJobLeftovers(List<MigrationTask> tasks, Deployment deployment, List<Pod> pods) {
        this.tasks = tasks;
        this.deployment = deployment;
        this.pods = pods;
    }

    /** The leftovers among what was observed for {@code job} (most often none: nothing is copied then). */
    public static EarlierJobLeftovers among(MigrationJob job, List<MigrationTask> tasks, List<Pod> pods,
            Deployment deployment) {
        List<MigrationTask> oldTasks = tasks.stream().filter(task -> !Owners.isControlledBy(task, job)).toList();
        Deployment oldDeployment = deployment == null || Owners.isControlledBy(deployment, job) ? null : deployment;
        List<Pod> oldPods = pods.stream().filter(pod -> createdBefore(pod, job)).toList();
        if (oldTasks.isEmpty() && oldDeployment == null && oldPods.isEmpty()) {
            return NONE;
        }
        return new EarlierJobLeftovers(oldTasks, oldDeployment, oldPods);
    }

    public boolean isEmpty() {
        return this == NONE;
    }

    /** Tasks of the job's name it does not control. */
    public List<MigrationTask> tasks() {
        return tasks;
    }

    /** The worker Deployment of the job's name when the job does not control it; else null. */
    public Deployment deployment() {
        return deployment;
    }

    /** Worker pods of the job's name created before the job. */
    public List<Pod> pods() {
        return pods;
    }

    /** The old worker pods that may still run (a pod being deleted runs until its containers stop). */
    public long podsThatMayRun() {
        return pods.stream().filter(WorkerPods::mayRun).count();
    }

    /** {@code tasks} without the leftovers. */
    public List<MigrationTask> withoutLeftovers(List<MigrationTask> observed) {
        return without(tasks, observed);
    }

    /** {@code pods} without the leftovers. */
    public List<Pod> podsWithoutLeftovers(List<Pod> observed) {
        return without(pods, observed);
    }

    /** By name: a leftover and an object of the job cannot share one, and names compare cheaply. */
    private static <T extends HasMetadata> List<T> without(List<T> leftovers, List<T> observed) {
        if (leftovers.isEmpty()) {
            return observed;
        }
        Set<String> old = leftovers.stream().map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
        return observed.stream().filter(o -> !old.contains(o.getMetadata().getName())).toList();
    }

    /**
     * Created in an earlier second than the job: a worker of this job cannot be (its Deployment comes after the
     * job). The same second is given to the job: an old pod started in the very second its job was replaced is
     * not told apart, a new one is never taken for old.
     */
    private static boolean createdBefore(Pod pod, MigrationJob job) {
        Optional<Instant> podCreated = Tasks.parse(pod.getMetadata().getCreationTimestamp());
        Optional<Instant> jobCreated = Tasks.parse(job.getMetadata().getCreationTimestamp());
        return podCreated.isPresent() && jobCreated.isPresent()
                && podCreated.get().getEpochSecond() < jobCreated.get().getEpochSecond();
    }
}
