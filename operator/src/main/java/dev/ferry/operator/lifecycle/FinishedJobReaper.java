package dev.ferry.operator.lifecycle;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.operator.workers.WorkerDeploymentFactory;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a finished job whose TTL has passed, with its tasks and worker Deployment.
 *
 * <p>In a real cluster the job's owner references make the garbage collector delete the tasks and
 * the Deployment once the job is gone. The Fabric8 mock API server (and a cluster whose garbage
 * collector lags) has none, so they are deleted explicitly first — harmless where the collector
 * exists. The job goes last: should a deletion fail, the reconcile is retried and the job, still
 * there, brings the reaper back.
 */
public final class FinishedJobReaper {
    private static final Logger LOG = LoggerFactory.getLogger(FinishedJobReaper.class);

    private final KubernetesClient client;

    public FinishedJobReaper(KubernetesClient client) {
        this.client = client;
    }

    public void delete(MigrationJob job) {
        String namespace = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        client.resources(MigrationTask.class).inNamespace(namespace).withLabel(Ferry.JOB_LABEL, name)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        client.apps().deployments().inNamespace(namespace).withName(WorkerDeploymentFactory.name(job))
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        client.resources(MigrationJob.class).inNamespace(namespace).withName(name)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        LOG.info("job {}/{}: deleted {} s after it finished (spec.ttlSecondsAfterFinished)", namespace, name,
                job.getSpec().ttlSecondsAfterFinished);
    }
}
