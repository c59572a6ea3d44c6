package dev.ferry.operator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.WorkersSpec;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Worker pods run with least privilege, as the Pod Security Standards' restricted profile asks. */
class WorkerDeploymentFactoryTest {
    private final WorkerDeploymentFactory factory = new WorkerDeploymentFactory(OperatorSettings.defaults());

    @Test
    void runsWorkersAsNonRootWithoutPrivilegesOnAReadOnlyRootFilesystem() {
        PodSpec pod = pod(TestObjects.job("j"));
        Container worker = pod.getContainers().get(0);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(worker.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(worker.getSecurityContext().getPrivileged()).isFalse();
        assertThat(worker.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(worker.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(worker.getVolumeMounts()).extracting(VolumeMount::getMountPath).contains("/tmp");
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(WorkerDeploymentFactory.TMP_VOLUME);
            assertThat(v.getEmptyDir()).isNotNull();
        });
    }

    @Test
    void declaresTheMetricsPortAndPassesItToTheWorker() {
        Container worker = pod(TestObjects.job("j")).getContainers().get(0);

        assertThat(worker.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("metrics");
            assertThat(port.getContainerPort()).isEqualTo(8080);
            assertThat(port.getProtocol()).isEqualTo("TCP");
        });
        assertThat(worker.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("FERRY_METRICS_PORT");
            assertThat(env.getValue()).isEqualTo("8080");
        });
    }

    @Test
    void mountsTheSourceReadOnlyUnlessTheJobMovesFiles() {
        MigrationJob copy = TestObjects.job("copy");
        MigrationJob move = TestObjects.job("move");
        move.getSpec().mode = MigrationMode.Move;

        assertThat(sourceMount(pod(copy)).getReadOnly()).isTrue();
        assertThat(pod(copy).getVolumes().get(0).getPersistentVolumeClaim().getReadOnly()).isTrue();
        assertThat(sourceMount(pod(move)).getReadOnly()).isFalse();
    }

    @Test
    void runsAsTheUserAndGroupsTheJobNamesForASourceOnlyTheyCanRead() {
        MigrationJob job = TestObjects.job("nas");
        job.getSpec().workers = new WorkersSpec();
        job.getSpec().workers.runAsUser = 2001L;
        job.getSpec().workers.runAsGroup = 3001L;
        job.getSpec().workers.fsGroup = 3001L;
        job.getSpec().workers.supplementalGroups = List.of(4001L, 4002L);

        PodSpec pod = pod(job);

        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(2001L);
        assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(3001L);
        assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(3001L);
        assertThat(pod.getSecurityContext().getSupplementalGroups()).containsExactly(4001L, 4002L);
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    private PodSpec pod(MigrationJob job) {
        return factory.desired(job, 1).getSpec().getTemplate().getSpec();
    }

    private static VolumeMount sourceMount(PodSpec pod) {
        return pod.getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> m.getName().equals(WorkerDeploymentFactory.SOURCE_VOLUME)).findFirst().orElseThrow();
    }
}
