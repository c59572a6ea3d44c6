package dev.ferry.worker.plan;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskType;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Optional;

/** Creating a plan's tasks, where a task that exists already (AlreadyExists, 409) is the truth. */
final class TaskStore {
    private final KubernetesClient client;
    private final String namespace;
    private final String jobName;

    TaskStore(KubernetesClient client, String namespace, String jobName) {
        this.client = client;
        this.namespace = namespace;
        this.jobName = jobName;
    }

    /** Creates {@code task}; empty when it was created, else the task of that name that exists already. */
    Optional<MigrationTask> createOrFind(MigrationTask task) {
        String name = task.getMetadata().getName();
        for (int attempt = 0; ; attempt++) {
            try {
                client.resources(MigrationTask.class).inNamespace(namespace).resource(task).create();
                return Optional.empty();
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt > 3) {
                    throw e;
                }
            }
            MigrationTask existing = get(name);
            if (existing != null) {
                return Optional.of(existing);
            }
            // deleted between the conflict and the read: try to create it again
        }
    }

    MigrationTask get(String name) {
        return client.resources(MigrationTask.class).inNamespace(namespace).withName(name).get();
    }

    /** Plan tasks of the job that are not finished (this one included). */
    long unfinishedPlans() {
        return client.resources(MigrationTask.class).inNamespace(namespace)
                .withLabel(Ferry.JOB_LABEL, jobName)
                .withLabel(Ferry.TASK_TYPE_LABEL, TaskType.Plan.name())
                .list().getItems().stream()
                .filter(t -> t.getStatus() == null || t.getStatus().phase == null || !t.getStatus().phase.isFinished())
                .count();
    }
}
