package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.local.apiserver.LocalKubernetesApi;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local kubelet keeps a worker Deployment's replicas running as real processes, each a Ready Pod. */
class LocalKubeletIT {
    private static final Map<String, String> WORKER_LABELS = Map.of(
            Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER, Ferry.JOB_LABEL, "job-a");

    @TempDir
    Path temp;
    private LocalKubernetesApi api;
    private KubernetesClient client;
    private LocalKubelet kubelet;
    private Path data;

    @BeforeEach
    void start() throws Exception {
        api = LocalKubernetesApi.start(0);
        client = api.client();
        data = Files.createDirectories(temp.resolve("data"));
        kubelet = new LocalKubelet(client, new ProcessLauncher(temp.resolve("kubeconfig"), List.of("-Xmx32m")),
                Map.of("data", data), temp.resolve("logs"), Map.of(Ferry.COMPONENT_WORKER, StandInWorker.class.getName())).start();
    }

    @AfterEach
    void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        api.close();
    }

    @Test
    void runsEachReplicaAsAProcessBehindAReadyPodWithItsPid() {
        client.apps().deployments().inNamespace("default").resource(deployment(2)).create();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            List<Pod> pods = workerPods();
            assertThat(pods).hasSize(2);
            for (Pod pod : pods) {
                assertThat(pod.getStatus().getConditions())
                        .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
                long pid = Long.parseLong(pod.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
                assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
            }
        });
    }

    @Test
    void runsNoProcessForADeploymentThatIsNotFerrys() throws InterruptedException {
        Deployment nginx = deployment(1);
        nginx.getMetadata().setName("nginx");
        nginx.getMetadata().setLabels(Map.of("app", "nginx"));
        nginx.getSpec().getSelector().setMatchLabels(Map.of("app", "nginx"));
        nginx.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "nginx"));
        client.apps().deployments().inNamespace("default").resource(nginx).create();
        client.apps().deployments().inNamespace("default").resource(deployment(1)).create();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(workerPods()).hasSize(1));
        Thread.sleep(1_000); // several sync rounds (every 300 ms) after the worker's pod appeared
        assertThat(client.pods().inNamespace("default").list().getItems()).extracting(p -> p.getMetadata().getName())
                .allSatisfy(name -> assertThat(name).startsWith("job-a-worker-"));
    }

    @Test
    void reportsItsPodsInTheDeploymentsStatusAsTheDeploymentControllerDoes() {
        client.apps().deployments().inNamespace("default").resource(deployment(2)).create();

        // what kubectl get deploy (READY 2/2), kubectl rollout status and ferry status read
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Deployment read = client.apps().deployments().inNamespace("default").withName("job-a-worker").get();
            assertThat(read.getStatus().getObservedGeneration()).isEqualTo(read.getMetadata().getGeneration());
            assertThat(read.getStatus().getReplicas()).isEqualTo(2);
            assertThat(read.getStatus().getUpdatedReplicas()).isEqualTo(2);
            assertThat(read.getStatus().getReadyReplicas()).isEqualTo(2);
            assertThat(read.getStatus().getAvailableReplicas()).isEqualTo(2);
            assertThat(read.getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
                    .containsExactly("Available=True/MinimumReplicasAvailable", "Progressing=True/NewReplicaSetAvailable");
        });

        client.apps().deployments().inNamespace("default").withName("job-a-worker")
                .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(0).endSpec().build());

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Deployment read = client.apps().deployments().inNamespace("default").withName("job-a-worker").get();
            assertThat(read.getStatus().getObservedGeneration()).isEqualTo(read.getMetadata().getGeneration());
            assertThat(read.getStatus().getReplicas()).as("a zero is left out").isNull();
            assertThat(read.getStatus().getReadyReplicas()).isNull();
        });
    }

    @Test
    void givesTheProcessTheDownwardApiAndTheBoundClaimAsItsMount() {
        client.apps().deployments().inNamespace("default").resource(deployment(1)).create();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Pod pod = workerPods().get(0);
            String log = Files.readString(temp.resolve("logs").resolve(pod.getMetadata().getName() + ".log"));
            assertThat(log).contains("POD_NAME=" + pod.getMetadata().getName())
                    .contains("POD_UID=" + pod.getMetadata().getUid())
                    .contains("FERRY_SOURCE_ROOT=" + data.toAbsolutePath())
                    .contains("FERRY_JOB=job-a");
        });
    }

    @Test
    void givesTheProcessTheSecretKeysItsEnvironmentNamesAsAKubeletWould() {
        client.secrets().inNamespace("default").resource(new SecretBuilder()
                .withNewMetadata().withName("s3").withNamespace("default").endMetadata()
                .addToData("AWS_ACCESS_KEY_ID", Base64.getEncoder().encodeToString("key-1".getBytes(StandardCharsets.UTF_8)))
                .addToStringData("AWS_SECRET_ACCESS_KEY", "secret-1")
                .build()).create();
        client.apps().deployments().inNamespace("default").resource(withCredentials(deployment(1), "s3")).create();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Pod pod = workerPods().get(0);
            String log = Files.readString(temp.resolve("logs").resolve(pod.getMetadata().getName() + ".log"));
            assertThat(log).contains("AWS_ACCESS_KEY_ID=key-1").contains("AWS_SECRET_ACCESS_KEY=secret-1")
                    .contains("FERRY_JOB=job-a")
                    .as("an optional key that is missing is left out").doesNotContain("AWS_SESSION_TOKEN");
        });
    }

    @Test
    void startsNoProcessWhileTheSecretItsEnvironmentNamesIsMissing() {
        client.apps().deployments().inNamespace("default").resource(withCredentials(deployment(1), "absent")).create();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(client.v1().events().inNamespace("default").list().getItems())
                        .anySatisfy(e -> {
                            assertThat(e.getReason()).isEqualTo("CreateContainerConfigError");
                            assertThat(e.getMessage()).contains("secret \"absent\" not found");
                        }));
        assertThat(kubelet.workerPids()).isEmpty();
    }

    @Test
    void replacesAKilledProcessAndDeletesItsPod() {
        client.apps().deployments().inNamespace("default").resource(deployment(1)).create();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> workerPods().size() == 1 && hasPid(workerPods().get(0)));
        Pod first = workerPods().get(0);
        long pid = Long.parseLong(first.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            List<Pod> pods = workerPods();
            assertThat(pods).hasSize(1);
            assertThat(pods.get(0).getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
            assertThat(hasPid(pods.get(0))).isTrue();
        });
    }

    @Test
    void stopsTheProcessOfAPodDeletedThroughTheApiEvenAStoppedOneAndStartsAnother() throws Exception {
        client.apps().deployments().inNamespace("default").resource(deployment(1)).create();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> workerPods().size() == 1 && hasPid(workerPods().get(0)));
        Pod first = workerPods().get(0);
        ProcessHandle process = ProcessHandle.of(pid(first)).orElseThrow();
        // a hung process, as far as signals go: SIGTERM stays pending, only SIGKILL after the grace ends it
        assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).start().waitFor()).isZero();

        client.pods().inNamespace("default").withName(first.getMetadata().getName()).delete();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(process.isAlive()).as("killed after the grace").isFalse();
            List<Pod> pods = workerPods();
            assertThat(pods).singleElement().satisfies(pod -> {
                assertThat(pod.getMetadata().getName()).isNotEqualTo(first.getMetadata().getName());
                assertThat(hasPid(pod)).isTrue();
            });
        });
    }

    @Test
    void stopsProcessesWhenTheDeploymentScalesToZero() {
        client.apps().deployments().inNamespace("default").resource(deployment(1)).create();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> workerPods().size() == 1 && hasPid(workerPods().get(0)));
        long pid = Long.parseLong(workerPods().get(0).getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));

        client.apps().deployments().inNamespace("default").withName("job-a-worker")
                .edit(d -> new DeploymentBuilder(d).editSpec().withReplicas(0).endSpec().build());

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(workerPods()).isEmpty();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        });
    }

    @Test
    void replacesEveryPodOfAnOlderTemplateAfterARolloutRestart() {
        client.apps().deployments().inNamespace("default").resource(deployment(3)).create();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> workerPods().size() == 3 && workerPods().stream().allMatch(LocalKubeletIT::hasPid));
        List<Pod> before = workerPods();
        String oldHash = before.get(0).getMetadata().getLabels().get(PodTemplateHash.LABEL);
        assertThat(before).allSatisfy(p -> assertThat(p.getMetadata().getLabels()).containsEntry(PodTemplateHash.LABEL, oldHash));

        // what `kubectl rollout restart deployment/job-a-worker` sends
        client.apps().deployments().inNamespace("default").withName("job-a-worker")
                .edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editMetadata()
                        .addToAnnotations("kubectl.kubernetes.io/restartedAt", "2026-12-02T10:00:00Z")
                        .endMetadata().endTemplate().endSpec().build());

        List<String> oldNames = before.stream().map(p -> p.getMetadata().getName()).toList();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            List<Pod> pods = workerPods();
            assertThat(pods).hasSize(3).allSatisfy(p -> {
                assertThat(oldNames).doesNotContain(p.getMetadata().getName());
                assertThat(p.getMetadata().getLabels().get(PodTemplateHash.LABEL)).isNotEqualTo(oldHash);
                assertThat(hasPid(p)).isTrue();
            });
        });
        assertThat(before).allSatisfy(p -> assertThat(ProcessHandle.of(pid(p)).map(ProcessHandle::isAlive).orElse(false))
                .as("process of the old pod %s", p.getMetadata().getName()).isFalse());
        // kubectl rollout status: rolled out once every replica is updated and available, and no old one is left
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Deployment read = client.apps().deployments().inNamespace("default").withName("job-a-worker").get();
            assertThat(read.getStatus().getObservedGeneration()).isEqualTo(read.getMetadata().getGeneration());
            assertThat(List.of(read.getStatus().getReplicas(), read.getStatus().getUpdatedReplicas(),
                    read.getStatus().getAvailableReplicas())).containsOnly(3);
        });
    }

    private static long pid(Pod pod) {
        return Long.parseLong(pod.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
    }

    private List<Pod> workerPods() {
        return client.pods().inNamespace("default").withLabels(WORKER_LABELS).list().getItems();
    }

    private static boolean hasPid(Pod pod) {
        return pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey(Ferry.PID_ANNOTATION);
    }

    /** The credentials env of a worker Deployment, as the operator sets it. */
    private static Deployment withCredentials(Deployment deployment, String secret) {
        List<EnvVar> env = new ArrayList<>(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv());
        for (String key : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")) {
            env.add(new EnvVarBuilder().withName(key).withNewValueFrom().withNewSecretKeyRef().withName(secret)
                    .withKey(key).withOptional(key.equals("AWS_SESSION_TOKEN")).endSecretKeyRef().endValueFrom().build());
        }
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setEnv(env);
        return deployment;
    }

    private static Deployment deployment(int replicas) {
        return new DeploymentBuilder()
                .withNewMetadata().withName("job-a-worker").withNamespace("default").withLabels(WORKER_LABELS).endMetadata()
                .withNewSpec()
                    .withReplicas(replicas)
                    .withNewSelector().withMatchLabels(WORKER_LABELS).endSelector()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(WORKER_LABELS).endMetadata()
                        .withNewSpec()
                            .addNewContainer().withName("worker").withImage("ferry/worker:test")
                                .addNewEnv().withName("FERRY_JOB").withValue("job-a").endEnv()
                                .addNewEnv().withName("FERRY_SOURCE_ROOT").withValue("/mnt/source").endEnv()
                                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
                                    .withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
                                .addNewEnv().withName("POD_UID").withNewValueFrom().withNewFieldRef()
                                    .withFieldPath("metadata.uid").endFieldRef().endValueFrom().endEnv()
                                .addNewVolumeMount().withName("source").withMountPath("/mnt/source").withReadOnly(true).endVolumeMount()
                            .endContainer()
                            .addNewVolume().withName("source").withNewPersistentVolumeClaim().withClaimName("data")
                                .withReadOnly(true).endPersistentVolumeClaim().endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }
}
