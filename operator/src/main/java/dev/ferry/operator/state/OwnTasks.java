package dev.ferry.operator.state;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.function.Consumer;

/**
 * The tasks the operator creates itself — a job's root plan and its audit — rather than a plan: named after
 * the job, so a second create (another reconcile, a new leader) is a 409 and means it exists already; owned
 * by the job, so they go with it; labelled with the job's run ({@code status.run}: a later run's tasks of the same
 * name are told apart); Pending with no attempt used.
 */
public final class OwnTasks {
    private OwnTasks() {
    }

    /** The task {@code name} of {@code job} with {@code spec} (its job name is set here). */
    public static MigrationTask of(MigrationJob job, String name, MigrationTaskSpec spec) {
        spec.jobName = job.getMetadata().getName();
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(job.getMetadata().getNamespace())
                .addToLabels(Ferry.JOB_LABEL, job.getMetadata().getName())
                .addToLabels(Ferry.TASK_TYPE_LABEL, spec.type.name())
                .addToLabels(Ferry.RUN_LABEL, Long.toString(job.getStatus() == null ? 1 : job.getStatus().runOrFirst()))
                .withOwnerReferences(Owners.controlledBy(job))
                .build());
        task.setSpec(spec);
        MigrationTaskStatus status = new MigrationTaskStatus();
        status.phase = TaskPhase.Pending;
        status.attempts = 0;
        task.setStatus(status);
        return task;
    }

    /**
     * Creates {@code task} unless it exists; true when this call created it, which {@code onCreated} and
     * {@code state} are told about (so that caches see it before the watch delivers it).
     */
    public static boolean createOnce(KubernetesClient client, JobState state, MigrationTask task,
            Consumer<MigrationTask> onCreated) {
        try {
            MigrationTask created = client.resources(MigrationTask.class).inNamespace(state.namespace())
                    .resource(task).create();
            onCreated.accept(created);
            state.put(created);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            return false;
        }
    }
}
