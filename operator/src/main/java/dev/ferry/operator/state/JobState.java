package dev.ferry.operator.state;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.operator.liveness.WorkerClocks;
import dev.ferry.operator.liveness.WorkerLiveness;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one reconcile of a job knows: the job, its tasks, worker pods and their Leases as observed, and the time
 * the reconcile runs at. Steps that write a task put the written version back here, so that later
 * steps of the same reconcile decide on what is now true rather than on the cache's older copy.
 */
public final class JobState {
    private static final Comparator<MigrationTask> BY_NAME = Comparator.comparing(t -> t.getMetadata().getName());

    private final MigrationJob job;
    /** The tasks by name, for lookups and writes. */
    private final Map<String, MigrationTask> tasks;
    /**
     * The same tasks in name order, sorted once when first asked for: the steps of a reconcile walk them
     * some twenty times, and keeping them sorted as they are read (a tree of 10,000 tasks) cost a sixth of a
     * reconcile's CPU. Null until then, and again after a task new to this state was put.
     */
    private MigrationTask[] inNameOrder;
    /** Whether a list over {@link #inNameOrder} was handed out: a write then copies the array first. */
    private boolean inNameOrderShared;
    private final List<Pod> workerPods;
    private final Map<String, Lease> workerLeases = new HashMap<>();
    private final Deployment workerDeployment;
    private final Instant now;
    private final WorkerClocks workerClocks;
    /** The status being built: starts as a copy of the observed one. */
    private final MigrationJobStatus status;

    public JobState(MigrationJob job, Collection<MigrationTask> tasks, Collection<Pod> workerPods,
            Deployment workerDeployment, Instant now) {
        this(job, tasks, workerPods, List.of(), workerDeployment, now);
    }

    /** A state whose workers' times are taken as written ({@link WorkerClocks#AS_WRITTEN}). */
    public JobState(MigrationJob job, Collection<MigrationTask> tasks, Collection<Pod> workerPods,
            Collection<Lease> workerLeases, Deployment workerDeployment, Instant now) {
        this(job, tasks, workerPods, workerLeases, workerDeployment, now, WorkerClocks.AS_WRITTEN);
    }

    /**
     * @param now the operator's clock at this reconcile
     * @param workerClocks puts the times the workers write on the operator's clock
     */
    public JobState(MigrationJob job, Collection<MigrationTask> tasks, Collection<Pod> workerPods,
            Collection<Lease> workerLeases, Deployment workerDeployment, Instant now, WorkerClocks workerClocks) {
        this.job = job;
        this.workerClocks = workerClocks;
        workerLeases.forEach(l -> this.workerLeases.put(l.getMetadata().getName(), l));
        this.tasks = new HashMap<>(tasks.size() * 4 / 3 + 1);
        tasks.forEach(t -> this.tasks.put(t.getMetadata().getName(), t));
        this.workerPods = List.copyOf(workerPods);
        this.workerDeployment = workerDeployment;
        this.now = now;
        this.status = job.getStatus() == null ? new MigrationJobStatus()
                : Serialization.clone(job.getStatus());
    }

    public MigrationJob job() {
        return job;
    }

    public String name() {
        return job.getMetadata().getName();
    }

    public String namespace() {
        return job.getMetadata().getNamespace();
    }

    /** The job's status as it was read, never null; compare against {@link #status()} for transitions. */
    public MigrationJobStatus observedStatus() {
        return job.getStatus() == null ? new MigrationJobStatus() : job.getStatus();
    }

    public MigrationJobStatus status() {
        return status;
    }

    /** Tasks in name order, as they are now: a later {@link #put} does not change the list returned. */
    public List<MigrationTask> tasks() {
        if (inNameOrder == null) {
            inNameOrder = tasks.values().toArray(MigrationTask[]::new);
            Arrays.sort(inNameOrder, BY_NAME);
        }
        inNameOrderShared = true;
        return Collections.unmodifiableList(Arrays.asList(inNameOrder));
    }

    public Optional<MigrationTask> task(String name) {
        return Optional.ofNullable(tasks.get(name));
    }

    /** Records a task this reconcile created or wrote. */
    public void put(MigrationTask task) {
        MigrationTask replaced = tasks.put(task.getMetadata().getName(), task);
        if (inNameOrder == null) {
            return;
        }
        if (replaced == null) {
            inNameOrder = null;
            return;
        }
        if (inNameOrderShared) {
            inNameOrder = inNameOrder.clone();
            inNameOrderShared = false;
        }
        inNameOrder[Arrays.binarySearch(inNameOrder, task, BY_NAME)] = task;
    }

    public List<Pod> workerPods() {
        return workerPods;
    }

    /** The worker's Lease (named after its pod), when there is one held by this very pod. */
    public Optional<Lease> leaseOf(Pod pod) {
        return Optional.ofNullable(workerLeases.get(pod.getMetadata().getName()))
                .filter(lease -> WorkerLiveness.belongsTo(lease, pod));
    }

    public Optional<Deployment> workerDeployment() {
        return Optional.ofNullable(workerDeployment);
    }

    public Instant now() {
        return now;
    }

    /** Puts the times workers write (a task's {@code progressTime}) on the operator's clock, that of {@link #now}. */
    public WorkerClocks workerClocks() {
        return workerClocks;
    }

    /** A finished job is left alone: its workers are scaled to zero and nothing is handed out. */
    public boolean isFinished() {
        return observedStatus().phase != null && observedStatus().phase.isFinished();
    }
}
