package dev.ferry.operator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.WorkersSpec;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The worker Deployment follows the job: created once, changed when the job's spec (its generation), the
 * replicas it should run or the values of its Secrets change, left alone on the many reconciles in between, which reuse the Deployment
 * built for that generation.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class WorkerDeploymentsTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    private final WorkerDeploymentFactory factory = new WorkerDeploymentFactory(OperatorSettings.defaults());
    private WorkerDeployments deployments;
    private MigrationJob job;

    @BeforeEach
    void aJobOfGenerationOne() {
        deployments = new WorkerDeployments(client, factory);
        job = TestObjects.job("j");
        job.getMetadata().setUid("uid-" + System.nanoTime());
        job.getMetadata().setGeneration(1L);
        client.apps().deployments().inNamespace("ns").withName(WorkerDeploymentFactory.name(job)).delete();
        client.secrets().inNamespace("ns").withName("creds").delete();
    }

    @Test
    void followsSpecChangesAndStopsAndLeavesAnUnchangedJobAlone() {
        deployments.ensure(state(), false);
        Deployment first = stored();
        assertThat(first.getSpec().getReplicas()).isEqualTo(factory.requestedReplicas(job));

        deployments.ensure(state(), false);
        assertThat(stored().getMetadata().getResourceVersion()).as("nothing to change")
                .isEqualTo(first.getMetadata().getResourceVersion());

        workers().image = "registry.example/ferry-worker:2";
        job.getMetadata().setGeneration(2L);
        deployments.ensure(state(), false);
        assertThat(stored().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("registry.example/ferry-worker:2");
        assertThat(hash(stored())).isNotEqualTo(hash(first));

        deployments.ensure(state(), true);
        assertThat(stored().getSpec().getReplicas()).as("stopped").isZero();
    }

    @Test
    void keepsOthersTemplateAnnotationsWithoutCarryingThemIntoTheNextBuild() {
        deployments.ensure(state(), false);
        Deployment restarted = stored();
        restarted.getSpec().getTemplate().getMetadata().setAnnotations(Map.of("kubectl.kubernetes.io/restartedAt", "now"));
        client.apps().deployments().inNamespace(restarted.getMetadata().getNamespace()).resource(restarted).update();

        deployments.ensure(state(), true);
        assertThat(stored().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("kubectl.kubernetes.io/restartedAt", "now");

        client.apps().deployments().inNamespace(restarted.getMetadata().getNamespace())
                .withName(restarted.getMetadata().getName()).delete();
        deployments.ensure(state(), true);
        assertThat(stored().getSpec().getTemplate().getMetadata().getAnnotations())
                .as("a Deployment made again from the kept build").doesNotContainKey("kubectl.kubernetes.io/restartedAt");
    }

    @Test
    void replacesTheWorkersOfARunningJobWhenTheValuesOfItsSecretsChangeAndOnlyThen() {
        Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
        credentials("secret-1");
        deployments.ensure(state(t0), false);
        Deployment first = stored();
        assertThat(digest(first)).isNotNull();

        credentials("secret-2"); // fixed or rotated
        deployments.ensure(state(t0.plusSeconds(1)), false);
        assertThat(stored().getMetadata().getResourceVersion()).as("read again only after a recheck")
                .isEqualTo(first.getMetadata().getResourceVersion());
        deployments.ensure(state(t0.plus(WorkerSecrets.RECHECK)), false);
        Deployment rotated = stored();
        assertThat(digest(rotated)).isNotEqualTo(digest(first));
        assertThat(hash(rotated)).as("a new template: the Deployment replaces its pods").isNotEqualTo(hash(first));

        credentials("secret-3");
        deployments.ensure(state(t0.plus(WorkerSecrets.RECHECK.multipliedBy(2))), true);
        assertThat(stored().getSpec().getReplicas()).isZero();
        assertThat(digest(stored())).as("a stopped job's Secrets are not read").isEqualTo(digest(rotated));

        client.secrets().inNamespace("ns").withName("creds").delete();
        deployments.ensure(state(t0.plus(WorkerSecrets.RECHECK.multipliedBy(3))), false);
        assertThat(digest(stored())).as("a deleted Secret leaves the workers as they are").isEqualTo(digest(rotated));
    }

    private void credentials(String secretKey) {
        client.secrets().inNamespace("ns").resource(new SecretBuilder()
                .withNewMetadata().withName("creds").withNamespace("ns").endMetadata()
                .withStringData(Map.of(Ferry.SECRET_ACCESS_KEY_ID, "AKIA1", Ferry.SECRET_SECRET_ACCESS_KEY, secretKey))
                .build()).createOr(s -> s.update());
    }

    private static String digest(Deployment deployment) {
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(WorkerSecrets.DIGEST_ANNOTATION);
    }

    private JobState state() {
        return state(Instant.now());
    }

    private JobState state(Instant now) {
        return new JobState(job, List.of(), List.of(), stored(), now);
    }

    private Deployment stored() {
        return client.apps().deployments().inNamespace(job.getMetadata().getNamespace())
                .withName(WorkerDeploymentFactory.name(job)).get();
    }

    private WorkersSpec workers() {
        if (job.getSpec().workers == null) {
            job.getSpec().workers = new WorkersSpec();
        }
        return job.getSpec().workers;
    }

    private static String hash(Deployment deployment) {
        return deployment.getMetadata().getAnnotations().get(WorkerDeploymentFactory.TEMPLATE_HASH_ANNOTATION);
    }
}
