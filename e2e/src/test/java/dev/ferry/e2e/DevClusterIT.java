package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.local.LocalS3;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's dev-cluster walkthrough, run as written with the real kubectl: start
 * `ferry dev-cluster`, apply the sample job, wait for Ready, read the columns, and find every sample
 * file in the embedded S3. Only the ports differ (free ones, so the test never meets a running cluster).
 */
class DevClusterIT {
    @TempDir
    Path temp;

    @Test
    void theReadmeWalkthroughWorksWithTheRealKubectl() throws Exception {
        Path workDir = temp.resolve(".ferry");
        try (DevCluster cluster = DevCluster.start(workDir)) {
            assertThat(cluster.log()).contains("export KUBECONFIG=" + workDir.resolve("kubeconfig"));
            Path kubeconfig = cluster.kubeconfig();
            Path job = temp.resolve("migrationjob-local.yaml");
            Files.writeString(job, Files.readString(FerryProcess.REPO.resolve("samples/migrationjob-local.yaml"))
                    .replace("http://127.0.0.1:9500", "http://127.0.0.1:" + cluster.s3Port()));

            assertThat(Kubectl.run(kubeconfig, "apply", "-f", job.toString())).contains("migrationjob.ferry.dev/samples created");
            assertThat(Kubectl.run(kubeconfig, "wait", "--for=condition=Ready", "mj/samples", "--timeout=120s"))
                    .contains("condition met");
            assertThat(Kubectl.run(kubeconfig, "get", "mj")).containsPattern("samples\\s+True\\s+Succeeded\\s+100%\\s+10\\s");
            assertThat(Kubectl.run(kubeconfig, "get", "mt")).contains("samples-plan ").contains("samples-plan-00001")
                    .doesNotContain("Pending").doesNotContain("Failed");
            assertThat(Kubectl.run(kubeconfig, "get", "ferry")).contains("migrationjob.ferry.dev/samples")
                    .contains("migrationtask.ferry.dev/samples-plan-00001");
            assertThat(Kubectl.run(kubeconfig, "describe", "mj", "samples")).contains("Succeeded")
                    .contains("all 10 files migrated");
            assertThat(SourceTree.describe(workDir.resolve("dev-cluster/s3/demo/samples")))
                    .isEqualTo(SourceTree.describe(FerryProcess.REPO.resolve("samples/data")));

            // "kubectl delete mj samples: deletes its tasks and workers too" (the local API collects what a job owned)
            assertThat(Kubectl.run(kubeconfig, "delete", "mj", "samples")).contains("deleted");
            assertThat(Kubectl.run(kubeconfig, "get", "mt,deploy", "-o", "name")).isBlank();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(Kubectl.run(kubeconfig, "get", "pods", "-o", "name")).doesNotContain("samples-worker"));

            // Applied again at once under the same name, to another prefix: a job of its own, that copies again.
            Path again = temp.resolve("again.yaml");
            Files.writeString(again, Files.readString(job).replace("prefix: samples", "prefix: again"));
            assertThat(Kubectl.run(kubeconfig, "apply", "-f", again.toString())).contains("migrationjob.ferry.dev/samples created");
            assertThat(Kubectl.run(kubeconfig, "wait", "--for=condition=Ready", "mj/samples", "--timeout=120s"))
                    .contains("condition met");
            assertThat(SourceTree.describe(workDir.resolve("dev-cluster/s3/demo/again")))
                    .isEqualTo(SourceTree.describe(FerryProcess.REPO.resolve("samples/data")));
        }
    }

    /**
     * Three jobs on one dev cluster (a cluster's start costs about ten seconds): its workers have an identity of
     * their own, served as EKS Pod Identity and ECS serve it — a credentials endpoint named in their environment
     * (the local kubelet's processes inherit the dev cluster's), answering expiring session keys. A job with a
     * {@code credentialsSecret} signs with the Secret's keys all the same.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnOneClusterWhoseWorkersHaveAnIdentity {
        /** The directory of the three tests' files and of the cluster (a @TempDir of @BeforeAll: one per class). */
        private Path shared;
        private final AtomicInteger served = new AtomicInteger();
        private HttpServer agent;
        private Path workDir;
        private DevCluster cluster;

        @BeforeAll
        void startTheAgentAndTheCluster(@TempDir Path dir) throws Exception {
            shared = dir;
            agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            agent.createContext("/v1/credentials", exchange -> {
                served.incrementAndGet();
                byte[] body = ("{\"AccessKeyId\":\"" + LocalS3.DEFAULT_ACCESS_KEY + "\",\"SecretAccessKey\":\""
                        + LocalS3.DEFAULT_SECRET_KEY + "\",\"Token\":\"session\",\"Expiration\":\""
                        + Instant.now().plusSeconds(3600) + "\"}").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            agent.start();
            workDir = shared.resolve(".ferry");
            cluster = DevCluster.start(workDir, Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "http://127.0.0.1:" + agent.getAddress().getPort() + "/v1/credentials"));
        }

        @AfterAll
        void stopThem() throws Exception {
            try {
                if (cluster != null) {
                    cluster.close();
                }
            } finally {
                agent.stop(0);
            }
        }

        @Test
        void servesTheBoundClaimsAndRefusesAJobWhoseClaimDoesNotExist() throws Exception {
            Path kubeconfig = cluster.kubeconfig();
            Path job = shared.resolve("unbound.yaml");
            Files.writeString(job, Files.readString(FerryProcess.REPO.resolve("samples/migrationjob-local.yaml"))
                    .replace("name: samples", "name: unbound").replace("pvc: samples", "pvc: nas-typo"));

            assertThat(Kubectl.run(kubeconfig, "get", "pvc", "samples", "-o", "jsonpath={.status.phase}"))
                    .isEqualTo("Bound");
            Kubectl.run(kubeconfig, "apply", "-f", job.toString());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Kubectl.run(kubeconfig, "get", "mj",
                    "unbound", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}"))
                    .contains("source PersistentVolumeClaim 'nas-typo' (spec.source.pvc) not found in namespace default"));
            assertThat(Kubectl.run(kubeconfig, "get", "mt", "-l", "ferry.dev/job=unbound", "-o", "name"))
                    .as("no task of a job that cannot run").isBlank();
        }

        @Test
        void aJobWhoseSecretHoldsAWrongKeyWaitsAndFinishesOnceTheSecretIsFixedWithoutARestartByHand() throws Exception {
            Path kubeconfig = cluster.kubeconfig();
            Kubectl.run(kubeconfig, "create", "secret", "generic", "typo", "--from-literal=AWS_ACCESS_KEY_ID=ferry-local",
                    "--from-literal=AWS_SECRET_ACCESS_KEY=ferry-local-secrett");
            Path job = shared.resolve("typo.yaml");
            Files.writeString(job, Files.readString(FerryProcess.REPO.resolve("samples/migrationjob-local.yaml"))
                    .replace("http://127.0.0.1:9500", "http://127.0.0.1:" + cluster.s3Port())
                    .replace("name: samples", "name: typo").replace("prefix: samples", "prefix: typo")
                    .replace("credentialsSecret: local-s3", "credentialsSecret: typo"));
            Kubectl.run(kubeconfig, "apply", "-f", job.toString());
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(Kubectl.run(kubeconfig, "get", "mj",
                    "typo", "-o", "jsonpath={.status.conditions[?(@.type==\"Degraded\")].message}"))
                    .contains("S3_AUTH_FAILED"));
            String digestWithTheWrongKey = secretsDigest(kubeconfig, "typo-worker");
            assertThat(digestWithTheWrongKey).isNotBlank();

            // fixed the way one fixes a Secret: applied again with the right value; nobody restarts a pod
            Path fixed = shared.resolve("typo-secret.yaml");
            Files.writeString(fixed, Kubectl.run(kubeconfig, "create", "secret", "generic", "typo",
                    "--from-literal=AWS_ACCESS_KEY_ID=ferry-local", "--from-literal=AWS_SECRET_ACCESS_KEY=ferry-local-secret",
                    "--dry-run=client", "-o", "yaml"));
            Kubectl.run(kubeconfig, "apply", "-f", fixed.toString());

            assertThat(Kubectl.run(kubeconfig, "wait", "--for=condition=Ready", "mj/typo", "--timeout=150s"))
                    .contains("condition met");
            assertThat(Kubectl.run(kubeconfig, "get", "mj", "typo", "-o", "jsonpath={.status.phase}")).isEqualTo("Succeeded");
            assertThat(SourceTree.describe(workDir.resolve("dev-cluster/s3/demo/typo")))
                    .isEqualTo(SourceTree.describe(FerryProcess.REPO.resolve("samples/data")));
            assertThat(secretsDigest(kubeconfig, "typo-worker")).as("the pod template changed: new pods, new values")
                    .isNotBlank().isNotEqualTo(digestWithTheWrongKey);
        }

        @Test
        void aJobWithoutACredentialsSecretSignsWithTheWorkersOwnIdentity() throws Exception {
            Path kubeconfig = cluster.kubeconfig();
            Path job = shared.resolve("own-identity.yaml");
            Files.writeString(job, Files.readString(FerryProcess.REPO.resolve("samples/migrationjob-local.yaml"))
                    .replace("http://127.0.0.1:9500", "http://127.0.0.1:" + cluster.s3Port())
                    .replace("name: samples", "name: own").replace("prefix: samples", "prefix: own")
                    .replace("    credentialsSecret: local-s3\n", ""));
            assertThat(Files.readString(job)).doesNotContain("credentialsSecret");
            Kubectl.run(kubeconfig, "apply", "-f", job.toString());

            assertThat(Kubectl.run(kubeconfig, "wait", "--for=condition=Ready", "mj/own", "--timeout=120s"))
                    .contains("condition met");
            assertThat(SourceTree.describe(workDir.resolve("dev-cluster/s3/demo/own")))
                    .isEqualTo(SourceTree.describe(FerryProcess.REPO.resolve("samples/data")));
            assertThat(served).as("the workers asked their identity for credentials").hasPositiveValue();
            assertThat(Kubectl.run(kubeconfig, "get", "deploy", "own-worker", "-o", "jsonpath={.spec.template.spec"
                    + ".containers[0].env[*].name}")).as("no keys in the pod spec").doesNotContain("AWS_");
        }
    }

    private static String secretsDigest(Path kubeconfig, String deployment) throws Exception {
        return Kubectl.run(kubeconfig, "get", "deploy", deployment, "-o",
                "jsonpath={.spec.template.metadata.annotations.ferry\\.dev/secrets-digest}");
    }
}
