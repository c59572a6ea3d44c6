package dev.ferry.operator.assignment;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's only way to write a task: a full status update with the resourceVersion it read.
 * A 409 means the holder (or another operator) wrote first; the write is dropped and the next
 * reconcile decides again on the newer object — never overwrite what someone else decided.
 *
 * <p>Several writes of one reconcile ({@link #writeAll}) are sent side by side on the {@code sender}: one
 * after the other, the round trips of a pass that hands out a task to each of 20 workers' two free slots
 * were most of its time (10,000 live tasks: 290 ms a reconcile, about 130 hand-outs/s), and the workers
 * waited. What the writes decide is decided before any is sent; only the requests run in parallel, and
 * their results reach the caches and the job's state on the reconciling thread, in the order given.
 */
public final class TaskStatusWriter {
    /**
     * Requests one reconciling operator sends at once, for all its jobs: the size of the sender's pool. Enough
     * for a pass that fills the free slots of 20 workers with a prefetch of 2 in one round: with 8, the pass's
     * writes went in four rounds and a reconcile of 10,000 live tasks took 124–134 ms; with 32, 95–113 ms and
     * about a tenth more hand-outs per second (issue 15, alternating runs of the scale benchmark). An API server
     * takes far more than 32 requests in flight from one client.
     */
    public static final int IN_FLIGHT = 32;

    private static final Logger LOG = LoggerFactory.getLogger(TaskStatusWriter.class);

    private final KubernetesClient client;
    private final BiConsumer<MigrationTask, MigrationTask> onWritten;
    private final Executor sender;

    /** Sends each write on the calling thread. */
    public TaskStatusWriter(KubernetesClient client, BiConsumer<MigrationTask, MigrationTask> onWritten) {
        this(client, onWritten, Runnable::run);
    }

    /**
     * @param onWritten told (updated, previous) after a write, so that caches see it before the watch does
     * @param sender runs the requests of {@link #writeAll}; its threads bound how many are in flight
     */
    public TaskStatusWriter(KubernetesClient client, BiConsumer<MigrationTask, MigrationTask> onWritten, Executor sender) {
        this.client = client;
        this.onWritten = onWritten;
        this.sender = sender;
    }

    /** One task and the change of its status that {@link #writeAll} writes. */
    public record Change(MigrationTask task, UnaryOperator<MigrationTaskStatus> status) {
    }

    /**
     * Writes {@code change} applied to a copy of the task's status, locked on the task's
     * resourceVersion; returns the written task, or empty when someone else wrote first.
     */
    public Optional<MigrationTask> write(JobState state, MigrationTask task, UnaryOperator<MigrationTaskStatus> change) {
        MigrationTask copy = changed(task, change);
        return recorded(state, task, send(copy, task));
    }

    /**
     * Writes each change as {@link #write} does, the requests side by side; returns, in the order of
     * {@code changes}, each written task or empty where someone else wrote first. A write that fails
     * otherwise is thrown once all have ended (the first such), the others' results recorded.
     */
    public List<Optional<MigrationTask>> writeAll(JobState state, List<Change> changes) {
        List<CompletableFuture<MigrationTask>> sent = new ArrayList<>(changes.size());
        for (Change change : changes) {
            // the copy is made here: a change may read the state, which only this thread touches
            MigrationTask copy = changed(change.task(), change.status());
            sent.add(CompletableFuture.supplyAsync(() -> send(copy, change.task()), sender));
        }
        List<Optional<MigrationTask>> written = new ArrayList<>(changes.size());
        RuntimeException failure = null;
        for (int i = 0; i < changes.size(); i++) {
            try {
                written.add(recorded(state, changes.get(i).task(), sent.get(i).join()));
            } catch (CompletionException e) {
                written.add(Optional.empty());
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return written;
    }

    /**
     * A copy of what the write changes or the client may touch (status, metadata), not of the spec it only
     * sends: cloning whole tasks, inline file lists and all, was a seventh of a reconcile's time.
     */
    private static MigrationTask changed(MigrationTask task, UnaryOperator<MigrationTaskStatus> change) {
        MigrationTask copy = new MigrationTask();
        copy.setMetadata(new ObjectMetaBuilder(task.getMetadata()).build());
        copy.setSpec(task.getSpec());
        MigrationTaskStatus status = task.getStatus() == null ? new MigrationTaskStatus() : Serialization.clone(task.getStatus());
        copy.setStatus(change.apply(status));
        return copy;
    }

    /** The update request; null when the task changed or went away since it was read. */
    private MigrationTask send(MigrationTask copy, MigrationTask read) {
        try {
            return client.resources(MigrationTask.class)
                    .inNamespace(read.getMetadata().getNamespace())
                    .resource(copy)
                    .lockResourceVersion(read.getMetadata().getResourceVersion())
                    .updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                LOG.debug("task {} changed or went away since it was read ({}); deciding again next reconcile",
                        read.getMetadata().getName(), e.getCode());
                return null;
            }
            throw e;
        }
    }

    private Optional<MigrationTask> recorded(JobState state, MigrationTask read, MigrationTask written) {
        if (written == null) {
            return Optional.empty();
        }
        onWritten.accept(written, read);
        state.put(written);
        return Optional.of(written);
    }
}
