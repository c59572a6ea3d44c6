package dev.ferry.e2e.bench;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Worker pods without worker processes: for each pod a Ready Pod object and a Lease renewed every five
 * seconds, and one informer that acknowledges every task handed to a pod that acks: Running, then
 * Succeeded with the task's files copied, each write fenced as a worker's (the holder's pod UID and
 * epoch checked, the resourceVersion it read locked). A pod that does not ack holds its tasks until it
 * is deleted, like a hung worker. The job's root plan either reports at once the tasks the harness made,
 * or, {@linkplain #pacePlanning paced}, creates them itself as a planning worker would. The task objects
 * the job has are sampled every 100 ms: the most at once, and their mean over a stretch of the run.
 */
final class SimulatedWorkers implements AutoCloseable {
    private static final int LEASE_SECONDS = 15;

    private final KubernetesClient client;
    private final String namespace;
    private final String job;
    /** pod UID → pod name, of the pods that acknowledge their tasks. */
    private final Map<String, String> acking = new ConcurrentHashMap<>();
    /** pod name → pod UID, of every pod whose Lease is renewed. */
    private final Map<String, String> renewing = new ConcurrentHashMap<>();
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong mostTaskObjects = new AtomicLong();
    /** Every sample of the task objects so far, summed, and how many samples. */
    private TaskObjectSamples taskObjectSamples = new TaskObjectSamples(0, 0, 0, 0, 0, 0, 0);
    /** How many task objects count as a full window (see {@link #countFullWindowFrom}). */
    private long fullWindow = Long.MAX_VALUE;
    private final AtomicLong deletedCopies = new AtomicLong();
    private volatile PacedPlan pacedPlan;
    private final ExecutorService writers = Executors.newFixedThreadPool(8);
    private final ScheduledExecutorService leases = Executors.newSingleThreadScheduledExecutor();
    private final SharedIndexInformer<MigrationTask> tasks;
    private final long filesPerTask;
    private final int plannedTasks;

    /** {@code plannedTasks} Copy tasks of {@code filesPerTask} files each: what the job's root plan reports. */
    SimulatedWorkers(KubernetesClient client, String namespace, String job, int plannedTasks, long filesPerTask) {
        this.client = client;
        this.plannedTasks = plannedTasks;
        this.namespace = namespace;
        this.job = job;
        this.filesPerTask = filesPerTask;
        this.tasks = client.resources(MigrationTask.class).inNamespace(namespace).withLabel(Ferry.JOB_LABEL, job)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(MigrationTask task) {
                        consider(task);
                    }

                    @Override
                    public void onUpdate(MigrationTask before, MigrationTask task) {
                        consider(task);
                    }

                    @Override
                    public void onDelete(MigrationTask task, boolean unknownFinalState) {
                        if (task.getSpec() != null && task.getSpec().type == TaskType.Copy) {
                            deletedCopies.incrementAndGet();
                        }
                    }
                });
        leases.scheduleWithFixedDelay(this::renewAll, 5, 5, TimeUnit.SECONDS);
        leases.scheduleWithFixedDelay(this::sampleTaskObjects, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** The root plan creates the Copy tasks itself, with the room a planning worker leaves. */
    void pacePlanning(PacedPlan plan) {
        this.pacedPlan = plan;
    }

    /** The most task objects of the job (plans and audit included) this harness's informer held at once. */
    long mostTaskObjects() {
        return mostTaskObjects.get();
    }

    /**
     * The samples of the job's task objects taken so far; {@link TaskObjectSamples#meanSince} gives a stretch's
     * mean, {@link TaskObjectSamples#fullWindowRateSince} the rate at which tasks Succeeded while the window was
     * full.
     */
    synchronized TaskObjectSamples taskObjectSamples() {
        return taskObjectSamples;
    }

    /** From now on, a sample of at least {@code objects} task objects counts as a full window. */
    synchronized void countFullWindowFrom(long objects) {
        fullWindow = objects;
    }

    private void sampleTaskObjects() {
        int objects = tasks.getStore().list().size();
        long now = System.nanoTime();
        long done = succeeded.get();
        mostTaskObjects.accumulateAndGet(objects, Math::max);
        synchronized (this) {
            TaskObjectSamples last = taskObjectSamples;
            // The stretch between two samples counts as full when both saw a full window.
            boolean full = last.count() > 0 && last.objects() >= fullWindow && objects >= fullWindow;
            taskObjectSamples = new TaskObjectSamples(objects, last.sum() + objects, last.count() + 1, now, done,
                    last.fullNanos() + (full ? now - last.nanos() : 0),
                    last.fullSucceeded() + (full ? done - last.succeeded() : 0));
        }
    }

    /**
     * Samples of the job's task objects: the last one ({@code objects}, taken at {@code nanos} with
     * {@code succeeded} tasks done), the sum and number of all, and the time and the tasks Succeeded between
     * samples that both saw a full window.
     */
    record TaskObjectSamples(long objects, long sum, long count, long nanos, long succeeded, long fullNanos,
            long fullSucceeded) {
        /** The mean of the samples taken after {@code earlier} was read (0 when none was). */
        double meanSince(TaskObjectSamples earlier) {
            long samples = count - earlier.count;
            return samples == 0 ? 0 : (double) (sum - earlier.sum) / samples;
        }

        /** Seconds with a full window since {@code earlier} was read. */
        double fullWindowSecondsSince(TaskObjectSamples earlier) {
            return (fullNanos - earlier.fullNanos) / 1e9;
        }

        /** Tasks Succeeded per second while the window was full, since {@code earlier} was read (NaN: never full). */
        double fullWindowRateSince(TaskObjectSamples earlier) {
            double seconds = fullWindowSecondsSince(earlier);
            return seconds == 0 ? Double.NaN : (fullSucceeded - earlier.fullSucceeded) / seconds;
        }
    }

    /** Starts a Ready worker pod with its Lease; {@code acks} false makes it hold whatever it gets. */
    String startPod(String name, boolean acks) {
        Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                    .withLabels(Map.of(Ferry.JOB_LABEL, job, Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER,
                            Ferry.APP_NAME_LABEL, Ferry.APP_NAME))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("ferry/worker:sim").endContainer().endSpec()
                .build()).create();
        String uid = pod.getMetadata().getUid();
        renewing.put(name, uid);
        renew(name, uid);
        if (acks) {
            acking.put(uid, name);
        }
        String now = Instant.now().toString();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(now).endCondition()
                .build());
        client.pods().inNamespace(namespace).resource(pod).updateStatus();
        // Tasks it may have been handed before it was known here
        tasks.getStore().list().forEach(this::consider);
        return uid;
    }

    /** The pod is gone (kubectl delete, node lost): it stops renewing and acknowledging. */
    void deletePod(String name) {
        String uid = renewing.remove(name);
        if (uid != null) {
            acking.remove(uid);
        }
        client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
    }

    long succeeded() {
        return succeeded.get();
    }

    Iterable<MigrationTask> cachedTasks() {
        return tasks.getStore().list();
    }

    private void consider(MigrationTask task) {
        MigrationTaskStatus status = task.getStatus();
        if (status == null || status.phase != TaskPhase.Assigned || status.assignment == null) {
            return;
        }
        String uid = status.assignment.podUid;
        if (!acking.containsKey(uid)) {
            return;
        }
        String key = task.getMetadata().getName() + "@" + status.epochOrZero();
        if (inProgress.add(key)) {
            writers.execute(() -> run(task, uid, status.epochOrZero(), key));
        }
    }

    /** Running, then Succeeded: two fenced writes, as a worker's TaskFence makes them. */
    private void run(MigrationTask assigned, String uid, long epoch, String key) {
        try {
            MigrationTask running = write(assigned, uid, epoch, s -> s.phase = TaskPhase.Running);
            if (running == null) {
                return;
            }
            MigrationTask planned = running;
            if (running.getSpec().type == TaskType.Plan && pacedPlan != null) {
                planned = pacedPlan.run(running, succeeded::get, deletedCopies::get,
                        (task, change) -> write(task, uid, epoch, change));
                if (planned == null) {
                    return;
                }
            }
            MigrationTask done = write(planned, uid, epoch, s -> {
                s.phase = TaskPhase.Succeeded;
                s.progress = new MigrationTaskStatus.Progress();
                if (running.getSpec().type == TaskType.Plan) {
                    // The harness made the plan's Copy tasks; the plan reports them as a planning worker would.
                    s.progress.total = plannedTasks * filesPerTask;
                    s.progress.totalBytes = plannedTasks * filesPerTask * 100;
                    s.progress.tasksCreated = plannedTasks;
                } else {
                    s.progress.copied = filesPerTask;
                    s.progress.files = filesPerTask;
                    s.progress.bytes = filesPerTask * 100;
                }
            });
            if (done != null && done.getSpec().type != TaskType.Plan) {
                succeeded.incrementAndGet();
            }
        } catch (Exception e) {
            System.err.println("[bench] task " + assigned.getMetadata().getName() + " failed in the harness: " + e);
        } finally {
            inProgress.remove(key);
        }
    }

    private MigrationTask write(MigrationTask read, String uid, long epoch,
            java.util.function.Consumer<MigrationTaskStatus> change) {
        MigrationTask current = read;
        for (int attempt = 0; attempt < 10; attempt++) {
            MigrationTaskStatus status = current.getStatus();
            if (status == null || status.assignment == null || !Objects.equals(status.assignment.podUid, uid)
                    || status.epochOrZero() != epoch || !status.phase.isHeld()) {
                return null; // fenced: no longer ours
            }
            MigrationTask copy = io.fabric8.kubernetes.client.utils.Serialization.clone(current);
            change.accept(copy.getStatus());
            copy.getStatus().heartbeat = Instant.now().toString();
            try {
                return client.resources(MigrationTask.class).inNamespace(namespace).resource(copy)
                        .lockResourceVersion(current.getMetadata().getResourceVersion()).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                current = client.resources(MigrationTask.class).inNamespace(namespace)
                        .withName(read.getMetadata().getName()).get();
                if (current == null) {
                    return null;
                }
            }
        }
        return null;
    }

    private void renewAll() {
        try {
            renewing.forEach(this::renew);
        } catch (RuntimeException e) {
            System.err.println("[bench] a Lease renewal failed (next one in 5 s): " + e.getMessage());
        }
    }

    private void renew(String pod, String uid) {
        Lease lease = new LeaseBuilder()
                .withNewMetadata().withName(pod).withNamespace(namespace)
                    .withLabels(Map.of(Ferry.JOB_LABEL, job, Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER))
                .endMetadata()
                .withNewSpec().withHolderIdentity(uid).withLeaseDurationSeconds(LEASE_SECONDS)
                    .withRenewTime(Instant.now().atZone(ZoneOffset.UTC)).endSpec()
                .build();
        client.leases().inNamespace(namespace).resource(lease).createOr(NonDeletingOperation::update);
    }

    @Override
    public void close() {
        leases.shutdownNow();
        writers.shutdownNow();
        tasks.close();
    }
}
