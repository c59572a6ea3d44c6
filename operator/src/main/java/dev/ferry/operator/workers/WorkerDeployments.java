package dev.ferry.operator.workers;

import dev.ferry.api.MigrationJob;
import dev.ferry.operator.state.DestinationProblem;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ensures a job's worker Deployment exists with the replicas and template the job asks for: zero
 * replicas when the job is suspended or finished. Writes are resourceVersion-locked; a conflict is
 * left for the next reconcile, which sees the newer object.
 */
public final class WorkerDeployments {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerDeployments.class);

    /** Jobs whose desired Deployment is kept; past it the memory starts over (a job's is rebuilt once). */
    static final int JOBS_REMEMBERED = 256;

    private final KubernetesClient client;
    private final WorkerDeploymentFactory factory;
    /**
     * By job UID, the Deployment built for a generation and a replica count. A running job is reconciled on
     * every change of one of its tasks, and building the Deployment (pod template and its hash) was 7% of
     * the local control plane's samples; it depends only on the job's spec, name and UID.
     */
    private final Map<String, Built> built = new ConcurrentHashMap<>();
    private final WorkerSecrets secrets;

    private record Built(Long generation, int replicas, Optional<String> secretsDigest, Deployment deployment) {
    }

    public WorkerDeployments(KubernetesClient client, WorkerDeploymentFactory factory) {
        this.client = client;
        this.factory = factory;
        this.secrets = new WorkerSecrets(client);
    }

    /**
     * Ensures the Deployment for a job that runs, or is suspended/finished when {@code stopped}. The pods of a
     * running job are replaced when the values of its Secrets changed ({@link WorkerSecrets}); a stopped job's
     * Secrets are not read (it has no pods).
     */
    public void ensure(JobState state, boolean stopped) {
        Deployment existing = state.workerDeployment().orElse(null);
        Optional<String> running = WorkerSecrets.current(existing);
        Optional<String> secretsDigest = stopped ? running
                : secrets.digest(state.job(), existing, state.now(),
                        () -> DestinationProblem.of(state.tasks(), state.workerClocks()).filter(DestinationProblem::credentialsRefused).isPresent());
        Deployment desired = desired(state.job(), stopped ? 0 : factory.requestedReplicas(state.job()), secretsDigest);
        if (running.isPresent() && !running.equals(secretsDigest)) {
            LOG.info("job {}/{}: the values of its Secrets changed; replacing its workers",
                    state.namespace(), state.job().getMetadata().getName());
        }
        try {
            if (existing == null) {
                create(desired);
            } else if (differs(existing, desired)) {
                update(existing, desired);
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            LOG.debug("worker Deployment {} changed meanwhile; the next reconcile re-reads it", desired.getMetadata().getName());
        }
    }

    /** The job finished or is gone: its Secrets are read afresh should it run again. */
    public void forget(String jobUid) {
        secrets.forget(jobUid);
    }

    /** The factory's Deployment for this generation and replica count; callers must not change it. */
    private Deployment desired(MigrationJob job, int replicas, Optional<String> secretsDigest) {
        String uid = job.getMetadata().getUid();
        Long generation = job.getMetadata().getGeneration();
        if (uid == null || generation == null) {
            return factory.desired(job, replicas, secretsDigest);
        }
        Built last = built.get(uid);
        if (last != null && last.generation().equals(generation) && last.replicas() == replicas
                && last.secretsDigest().equals(secretsDigest)) {
            return last.deployment();
        }
        Deployment desired = factory.desired(job, replicas, secretsDigest);
        if (built.size() >= JOBS_REMEMBERED) {
            built.clear();
        }
        built.put(uid, new Built(generation, replicas, secretsDigest, desired));
        return desired;
    }

    private void create(Deployment desired) {
        client.apps().deployments().inNamespace(desired.getMetadata().getNamespace()).resource(desired).create();
        LOG.info("created worker Deployment {}/{} with {} replicas", desired.getMetadata().getNamespace(),
                desired.getMetadata().getName(), desired.getSpec().getReplicas());
    }

    private void update(Deployment existing, Deployment kept) {
        Deployment desired = new DeploymentBuilder(kept).build(); // the kept one stays as the factory built it
        keepTemplateAnnotationsOfOthers(existing, desired);
        Deployment changed = new DeploymentBuilder(existing)
                .editMetadata()
                    .addToLabels(desired.getMetadata().getLabels())
                    .addToAnnotations(desired.getMetadata().getAnnotations())
                .endMetadata()
                .editSpec()
                    .withReplicas(desired.getSpec().getReplicas())
                    .withTemplate(desired.getSpec().getTemplate())
                .endSpec()
                .build();
        client.apps().deployments().inNamespace(existing.getMetadata().getNamespace()).resource(changed)
                .lockResourceVersion(existing.getMetadata().getResourceVersion()).update();
        LOG.info("updated worker Deployment {}/{}: {} replicas", existing.getMetadata().getNamespace(),
                existing.getMetadata().getName(), desired.getSpec().getReplicas());
    }

    /**
     * Annotations that others put on the pod template stay ({@code kubectl rollout restart} sets
     * {@code kubectl.kubernetes.io/restartedAt}): dropping them would change the template again and start a second
     * rollout.
     */
    private static void keepTemplateAnnotationsOfOthers(Deployment existing, Deployment desired) {
        var existingMeta = existing.getSpec().getTemplate().getMetadata();
        if (existingMeta == null || existingMeta.getAnnotations() == null || existingMeta.getAnnotations().isEmpty()) {
            return;
        }
        var desiredMeta = desired.getSpec().getTemplate().getMetadata();
        Map<String, String> merged = new HashMap<>(existingMeta.getAnnotations());
        if (desiredMeta.getAnnotations() != null) {
            merged.putAll(desiredMeta.getAnnotations());
        }
        desiredMeta.setAnnotations(merged);
    }

    private static boolean differs(Deployment existing, Deployment desired) {
        String wantedHash = desired.getMetadata().getAnnotations().get(WorkerDeploymentFactory.TEMPLATE_HASH_ANNOTATION);
        String actualHash = existing.getMetadata().getAnnotations() == null ? null
                : existing.getMetadata().getAnnotations().get(WorkerDeploymentFactory.TEMPLATE_HASH_ANNOTATION);
        return !Objects.equals(wantedHash, actualHash)
                || !Objects.equals(existing.getSpec().getReplicas(), desired.getSpec().getReplicas());
    }
}
