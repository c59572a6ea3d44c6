package dev.ferry.operator.assignment;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's only way to write a task: a full status update with the resourceVersion it read.
 * A 409 means the holder (or another operator) wrote first; the write is dropped and the next
 * reconcile decides again on the newer object — never overwrite what someone else decided.
 */
public final class TaskStatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(TaskStatusWriter.class);

    private final KubernetesClient client;
    private final BiConsumer<MigrationTask, MigrationTask> onWritten;

    /** @param onWritten told (updated, previous) after a write, so that caches see it before the watch does */
    public TaskStatusWriter(KubernetesClient client, BiConsumer<MigrationTask, MigrationTask> onWritten) {
        this.client = client;
        this.onWritten = onWritten;
    }

    /**
     * Writes {@code change} applied to a copy of the task's status, locked on the task's
     * resourceVersion; returns the written task, or empty when someone else wrote first.
     */
    public Optional<MigrationTask> write(JobState state, MigrationTask task, UnaryOperator<MigrationTaskStatus> change) {
        // A copy of what the write changes or the client may touch (status, metadata), not of the spec it
        // only sends: cloning whole tasks, inline file lists and all, was a seventh of a reconcile's time.
        MigrationTask copy = new MigrationTask();
        copy.setMetadata(new ObjectMetaBuilder(task.getMetadata()).build());
        copy.setSpec(task.getSpec());
        MigrationTaskStatus status = task.getStatus() == null ? new MigrationTaskStatus() : Serialization.clone(task.getStatus());
        copy.setStatus(change.apply(status));
        try {
            MigrationTask written = client.resources(MigrationTask.class)
                    .inNamespace(task.getMetadata().getNamespace())
                    .resource(copy)
                    .lockResourceVersion(task.getMetadata().getResourceVersion())
                    .updateStatus();
            onWritten.accept(written, task);
            state.put(written);
            return Optional.of(written);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                LOG.debug("task {} changed or went away since it was read ({}); deciding again next reconcile",
                        task.getMetadata().getName(), e.getCode());
                return Optional.empty();
            }
            throw e;
        }
    }
}
