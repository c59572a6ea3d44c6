package dev.ferry.operator.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.SecretKeyReference;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.WorkersSpec;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.config.WorkerPodDefaults;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker pods run with least privilege, as the Pod Security Standards' restricted profile asks, and with the
 * platform's defaults where their job says nothing.
 */
class WorkerDeploymentFactoryTest {
    private final WorkerDeploymentFactory factory = new WorkerDeploymentFactory(OperatorSettings.defaults());
    @TempDir
    Path temp;

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
    void passesTheEndpointsCaFromItsSecretOnlyWhenTheJobNamesOne() {
        MigrationJob job = TestObjects.job("j");
        assertThat(pod(job).getContainers().get(0).getEnv()).as("the template (and its hash) of other jobs as it was")
                .noneMatch(e -> e.getName().equals("FERRY_ENDPOINT_CA"));

        job.getSpec().destination.endpointCA = new SecretKeyReference("store-ca", "internal.pem");

        assertThat(pod(job).getContainers().get(0).getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("FERRY_ENDPOINT_CA");
            assertThat(env.getValue()).as("no secret value in the Deployment").isNull();
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("store-ca");
            assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("internal.pem");
        });
    }

    @Test
    void passesTheCredentialsFromTheirSecretAndNoneWithoutOneSoThatThePodsOwnIdentityIsUsed() {
        MigrationJob job = TestObjects.job("j");
        assertThat(pod(job).getContainers().get(0).getEnv())
                .filteredOn(env -> env.getName().startsWith("AWS_"))
                .extracting(env -> env.getName() + "<-" + env.getValueFrom().getSecretKeyRef().getName())
                .containsExactly("AWS_ACCESS_KEY_ID<-creds", "AWS_SECRET_ACCESS_KEY<-creds", "AWS_SESSION_TOKEN<-creds");

        job.getSpec().destination.credentialsSecret = null;
        assertThat(pod(job).getContainers().get(0).getEnv()).as("IRSA, EKS Pod Identity: the SDK's default chain")
                .noneMatch(env -> env.getName().startsWith("AWS_"));
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
    void mountsTheSourceWritableWhenMigratedFilesAreMarked() {
        MigrationJob marking = TestObjects.job("marking");
        marking.getSpec().source.markMigrated = dev.ferry.api.MarkMigrated.Xattr;

        assertThat(sourceMount(pod(marking)).getReadOnly()).isFalse();
        assertThat(pod(marking).getVolumes().get(0).getPersistentVolumeClaim().getReadOnly()).isFalse();
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

    @Test
    void givesWorkerPodsThePlatformDefaultsWhereTheJobSaysNothing() {
        WorkerPodDefaults defaults = WorkerPodDefaults.read(writeDefaults("""
                imagePullSecrets: [{name: regcred}]
                resources: {requests: {cpu: "2", memory: 2Gi}}
                nodeSelector: {node-role.example.com/storage: "true"}
                tolerations: [{key: storage, operator: Exists, effect: NoSchedule}]
                affinity: {}
                logFormat: json
                """));
        WorkerDeploymentFactory withDefaults = new WorkerDeploymentFactory(
                OperatorSettings.defaults().withWorkerPodDefaults(defaults));

        PodSpec pod = withDefaults.desired(TestObjects.job("j"), 1).getSpec().getTemplate().getSpec();

        assertThat(pod.getImagePullSecrets()).extracting(LocalObjectReference::getName).containsExactly("regcred");
        assertThat(pod.getNodeSelector()).containsEntry("node-role.example.com/storage", "true");
        assertThat(pod.getTolerations()).singleElement().extracting(Toleration::getKey).isEqualTo("storage");
        assertThat(pod.getAffinity()).as("an empty affinity is none").isNull();
        assertThat(pod.getContainers().get(0).getResources().getRequests()).containsEntry("memory", new Quantity("2Gi"));
        assertThat(pod.getContainers().get(0).getEnv()).anySatisfy(e ->
                assertThat(e.getName() + "=" + e.getValue()).isEqualTo("FERRY_LOG_FORMAT=json"));
    }

    @Test
    void letsTheJobsOwnWorkerSettingsWinOverThePlatformDefaults() {
        WorkerPodDefaults defaults = WorkerPodDefaults.read(writeDefaults("""
                nodeSelector: {pool: default}
                tolerations: [{key: storage, operator: Exists}]
                """));
        MigrationJob job = TestObjects.job("own");
        job.getSpec().workers = new WorkersSpec();
        job.getSpec().workers.nodeSelector = Map.of("pool", "nas-near");

        PodSpec pod = new WorkerDeploymentFactory(OperatorSettings.defaults().withWorkerPodDefaults(defaults))
                .desired(job, 1).getSpec().getTemplate().getSpec();

        assertThat(pod.getNodeSelector()).containsExactly(Map.entry("pool", "nas-near"));
        assertThat(pod.getTolerations()).as("what the job does not name still comes from the defaults").hasSize(1);
    }

    @Test
    void givesWorkerPodsThePlatformsAndTheJobsLabelsAnnotationsAndPriorityClassWithFerrysLabelsKept() {
        WorkerPodDefaults defaults = WorkerPodDefaults.read(writeDefaults("""
                podLabels: {cost-center: storage, team: platform}
                podAnnotations: {sidecar.istio.io/inject: "false"}
                priorityClassName: batch-low
                """));
        WorkerDeploymentFactory withDefaults = new WorkerDeploymentFactory(
                OperatorSettings.defaults().withWorkerPodDefaults(defaults));
        MigrationJob job = TestObjects.job("own");
        job.getSpec().workers = new WorkersSpec();
        job.getSpec().workers.podLabels = Map.of("team", "photos");
        job.getSpec().workers.podAnnotations = Map.of("example.com/owner", "photos@example.com");

        Deployment deployment = withDefaults.desired(job, 1);
        ObjectMeta pod = deployment.getSpec().getTemplate().getMetadata();

        assertThat(pod.getLabels()).containsEntry("cost-center", "storage").containsEntry("team", "photos")
                .containsAllEntriesOf(WorkerDeploymentFactory.labels("own"));
        assertThat(pod.getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "sidecar.istio.io/inject", "false", "example.com/owner", "photos@example.com"));
        assertThat(deployment.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("batch-low");
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).as("the selector is Ferry's alone")
                .doesNotContainKeys("cost-center", "team");

        job.getSpec().workers.priorityClassName = "migration-high";
        Deployment changed = withDefaults.desired(job, 1);
        assertThat(changed.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("migration-high");
        assertThat(changed.getMetadata().getAnnotations().get(WorkerDeploymentFactory.TEMPLATE_HASH_ANNOTATION))
                .as("a change rolls the workers").isNotEqualTo(deployment.getMetadata().getAnnotations()
                        .get(WorkerDeploymentFactory.TEMPLATE_HASH_ANNOTATION));
        assertThat(pod(TestObjects.job("plain")).getPriorityClassName()).isNull();
        assertThat(factory.desired(TestObjects.job("plain"), 1).getSpec().getTemplate().getMetadata().getAnnotations())
                .isNullOrEmpty();
    }

    @Test
    void refusesPlatformLabelsThatAreFerrysOrThatTheApiServerWouldRefuse() {
        Path ferrys = writeDefaults("podLabels: {app.kubernetes.io/component: copier}");
        Path reserved = writeDefaults("podAnnotations: {ferry.dev/template-hash: x}");
        Path malformed = writeDefaults("podLabels: {\"team name\": \"a/b\"}");

        assertThatThrownBy(() -> WorkerPodDefaults.read(ferrys)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ferrys.toString())
                .hasMessageContaining("workers.podLabels: app.kubernetes.io/component is set by Ferry");
        assertThatThrownBy(() -> WorkerPodDefaults.read(reserved))
                .hasMessageContaining("workers.podAnnotations: ferry.dev/template-hash is under ferry.dev/");
        assertThatThrownBy(() -> WorkerPodDefaults.read(malformed))
                .hasMessageContaining("workers.podLabels: \"team name\" is no key")
                .hasMessageContaining("workers.podLabels[team name]: the value \"a/b\" is no label value");
    }

    @Test
    void leavesTheTemplateAsItWasWithoutPlatformDefaults() {
        PodSpec pod = pod(TestObjects.job("j"));

        assertThat(pod.getImagePullSecrets()).isEmpty();
        assertThat(pod.getContainers().get(0).getEnv()).noneMatch(e -> e.getName().equals("FERRY_LOG_FORMAT"));
    }

    @Test
    void refusesDefaultsThatAreNotValidNamingTheFile() {
        Path file = writeDefaults("tolerations: {not: a list}");

        assertThatThrownBy(() -> WorkerPodDefaults.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString());
    }

    private Path writeDefaults(String yaml) {
        try {
            Path file = Files.createTempFile(temp, "pod-defaults", ".yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private PodSpec pod(MigrationJob job) {
        return factory.desired(job, 1).getSpec().getTemplate().getSpec();
    }

    private static VolumeMount sourceMount(PodSpec pod) {
        return pod.getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> m.getName().equals(WorkerDeploymentFactory.SOURCE_VOLUME)).findFirst().orElseThrow();
    }
}
