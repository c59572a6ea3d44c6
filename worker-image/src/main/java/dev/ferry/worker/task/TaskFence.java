package dev.ferry.worker.task;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The only way a worker writes a task's status. Before every write it re-reads the task and checks
 * that the assignment is still this pod's UID and the epoch the work started under; the write itself
 * carries the read resourceVersion, so an operator write in between makes it fail with 409 and the
 * decision is taken again on the fresh object. When the assignment moved on, {@link LostTaskException}
 * tells the caller to abandon the task.
 *
 * <p>The assignment is the operator's: a mutation cannot change it (it is restored before writing).
 */
public final class TaskFence {
    static final int MAX_CONFLICT_RETRIES = 20;

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String podUid;
    private final long epoch;
    private final Clock clock;

    public TaskFence(KubernetesClient client, String namespace, String name, String podUid, long epoch, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.podUid = podUid;
        this.epoch = epoch;
        this.clock = clock;
    }

    /**
     * Takes up a task handed to this pod: returns a fence bound to the current epoch when the task is
     * {@code Assigned} to {@code podUid}, empty when it is not (already done, or someone else's).
     */
    public static Optional<TaskFence> claim(KubernetesClient client, String namespace, String name, String podUid,
                                            Clock clock) {
        MigrationTask task = client.resources(MigrationTask.class).inNamespace(namespace).withName(name).get();
        if (task == null || task.getStatus() == null || task.getStatus().phase != TaskPhase.Assigned) {
            return Optional.empty();
        }
        MigrationTaskStatus.Assignment a = task.getStatus().assignment;
        if (a == null || !podUid.equals(a.podUid)) {
            return Optional.empty();
        }
        return Optional.of(new TaskFence(client, namespace, name, podUid, task.getStatus().epochOrZero(), clock));
    }

    public String taskName() {
        return name;
    }

    public long epoch() {
        return epoch;
    }

    /** A fresh read of the task, provided it is still ours. */
    public MigrationTask read() throws LostTaskException {
        MigrationTask task = client.resources(MigrationTask.class).inNamespace(namespace).withName(name).get();
        checkHeld(task);
        return task;
    }

    /**
     * Applies {@code mutation} to the current status and writes it with a resourceVersion
     * precondition, retrying on conflicts as long as the task is still ours. The mutation may run
     * more than once (once per attempt, each time on a fresh status), so it must set values rather
     * than accumulate them across calls. Every write also renews {@code heartbeat}.
     */
    public MigrationTask update(Consumer<MigrationTaskStatus> mutation) throws LostTaskException {
        KubernetesClientException lastConflict = null;
        for (int attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
            MigrationTask task = read();
            MigrationTaskStatus status = task.getStatus();
            MigrationTaskStatus.Assignment assignment = status.assignment;
            mutation.accept(status);
            status.assignment = assignment;
            status.heartbeat = clock.instant().toString();
            String resourceVersion = task.getMetadata().getResourceVersion();
            try {
                return client.resources(MigrationTask.class).inNamespace(namespace)
                        .resource(task).lockResourceVersion(resourceVersion).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                lastConflict = e; // someone else wrote in between: re-read and re-decide
            }
        }
        throw new KubernetesClientException("status of task " + name + " still conflicts after "
                + MAX_CONFLICT_RETRIES + " attempts", lastConflict);
    }

    /**
     * As {@link #update}, for a write that records the task moving forward (a Plan task created a task
     * or handed a directory off): it also sets {@code progressTime} and clears {@code storeError}.
     */
    public MigrationTask updateMoved(Consumer<MigrationTaskStatus> mutation) throws LostTaskException {
        return update(s -> {
            mutation.accept(s);
            s.progressTime = clock.instant().toString();
            s.storeError = null;
        });
    }

    private void checkHeld(MigrationTask task) throws LostTaskException {
        if (task == null) {
            throw new LostTaskException(name, "it was deleted");
        }
        if (task.getMetadata().getDeletionTimestamp() != null) {
            throw new LostTaskException(name, "it is being deleted");
        }
        MigrationTaskStatus status = task.getStatus();
        MigrationTaskStatus.Assignment a = status == null ? null : status.assignment;
        if (a == null) {
            throw new LostTaskException(name, "it has no assignment any more");
        }
        if (!Objects.equals(podUid, a.podUid)) {
            throw new LostTaskException(name, "it is now assigned to pod " + a.worker + " (uid " + a.podUid + ")");
        }
        if (status.epochOrZero() != epoch) {
            throw new LostTaskException(name, "its epoch is now " + status.epochOrZero() + ", ours is " + epoch);
        }
    }
}
