package dev.ferry.operator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.WorkersSpec;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.state.JobState;
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
 * The worker Deployment follows the job: created once, changed when the job's spec (its generation) or the
 * replicas it should run change, left alone on the many reconciles in between, which reuse the Deployment
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

    private JobState state() {
        return new JobState(job, List.of(), List.of(), stored(), Instant.now());
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
