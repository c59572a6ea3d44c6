package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leader failover loses nothing: two operator processes elect a leader through the Lease
 * `ferry-operator`. In the middle of a job the leader is stopped as Kubernetes stops a pod (SIGTERM: a
 * rollout, a node drain): it exits by itself, well within the pod's grace, and hands the Lease over to
 * the operator that stood by (how soon: LeaderHandoverIT). Then the new leader is killed with `kill -9`:
 * the Lease passes once it expires, to an operator started in place of one of them (while no operator
 * leads, workers only finish the tasks they hold, and nothing can end the job). Each leader continues
 * from the state in the API, and the job succeeds with every file verified. Before that, both operators
 * answer their probes: ready (the standby too) and alive.
 *
 * <p>The Lease is watched, not polled: a holder is seen however briefly it holds. The workers' upload
 * limit makes the job outlast the steps above on a loaded machine: without it, the job once ended while
 * the test still waited for the stopped JVM to exit, and the new leader, stopped with `ferry migrate`,
 * had released the Lease before the test looked (so it looked as if no operator had taken it).
 */
class OperatorFailoverIT {
    private static final S3Credentials CREDENTIALS = new S3Credentials("failover-key", "failover-secret");
    /** Kubernetes' default termination grace: a pod still running after it is killed. */
    private static final Duration TERMINATION_GRACE = Duration.ofSeconds(30);
    /** Per worker: two workers take about 25 s for the tree's 13 MB, more than the steps before the kill take. */
    private static final String UPLOAD_LIMIT = "256Ki";

    @TempDir
    Path temp;

    @Test
    void aStoppedLeaderHandsTheLeaseToTheStandbyAndAKilledOnesPassesOnceItExpires() throws Exception {
        Path source = temp.resolve("tree");
        SourceTree.generate(source, 1_500, 1 << 20, 11);
        Map<String, String> expected = SourceTree.describe(source);
        Path workDir = temp.resolve(".ferry");

        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS)) {
            BackgroundMigration migration = BackgroundMigration.start(temp, workDir, "failover", source.toString(),
                    "s3://failover", "--operators", "2", "--workers", "2", "--max-files", "100",
                    "--bandwidth-limit", UPLOAD_LIMIT, "--endpoint", s3.endpoint().toString(),
                    "--access-key", CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey());
            try (KubernetesClient client = migration.client();
                    LeaseHolders holders = LeaseHolders.watch(client, "default", "ferry-operator")) {
                awaitFilesDone(client, migration, 150);
                String first = leader(client);
                // the other operator stands by once its operator has started (it competes for the Lease only from
                // then on; on a loaded machine the JVM takes seconds to get there)
                String standby = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .ignoreExceptions().until(() -> startedStandby(client, first), Optional::isPresent).orElseThrow();
                // both ready (a standby too, so a rolling update may stop the leader) and alive, on their probes
                for (String operator : List.of(first, standby)) {
                    int port = metricsPort(client, operator);
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                            .until(() -> probe(port, "/readyz"), "200 ok"::equals);
                    assertThat(probe(port, "/healthz")).isEqualTo("200 ok");
                }
                assertThat(migration.isDone()).as("the job must still be running when the leader is stopped").isFalse();
                ProcessHandle stopped = operatorProcess(client, first);
                long stopStart = System.nanoTime();
                CompletableFuture<Long> exit = stopped.onExit().thenApply(p -> System.nanoTime() - stopStart);
                stopped.destroy(); // SIGTERM

                String second = holders.awaitHolderOtherThan(first, Duration.ofSeconds(60));
                Duration handedOver = Duration.ofNanos(System.nanoTime() - stopStart);
                // the standby, not an operator started in place of the stopped one: its election still runs
                assertThat(second).as("the operator that stood by takes the released Lease (holders: %s)",
                        holders.seen()).isEqualTo(standby);

                // at once, while the job runs: the Lease passes once it expires, to an operator started since
                assertThat(migration.isDone()).as("the job must still be running when the leader is killed").isFalse();
                operatorProcess(client, second).destroyForcibly();

                // JOSDK lets in-flight work end for up to 10 s (its reconciliation termination timeout) before
                // it ends the election: the exit comes within that, well inside the pod's grace, never by SIGKILL
                Duration exited = Duration.ofNanos(exit.get(TERMINATION_GRACE.toSeconds(), TimeUnit.SECONDS));
                System.out.printf("stopped leading operator %s: %s took the Lease after %d ms; exited after %d ms%n",
                        first, second, handedOver.toMillis(), exited.toMillis());
                assertThat(exited).as("a stopped operator exits by itself").isLessThan(TERMINATION_GRACE.dividedBy(2));

                String third = holders.awaitHolderOtherThan(second, Duration.ofSeconds(90));
                System.out.printf("killed leading operator %s; %s took the Lease%n", second, third);
            }

            migration.assertEveryFileMigrated(s3, CREDENTIALS, "failover", expected);
        }
    }

    private static void awaitFilesDone(KubernetesClient client, BackgroundMigration migration, long files) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> {
                    MigrationJob job = client.resources(MigrationJob.class).inNamespace("default")
                            .withName("failover").get();
                    return migration.isDone() || leader(client) != null && job.getStatus() != null
                            && job.getStatus().files.done() >= files;
                });
        assertThat(migration.isDone()).as("the job must still be running when the leader is stopped").isFalse();
    }

    private static ProcessHandle operatorProcess(KubernetesClient client, String podName) {
        Pod pod = client.pods().inNamespace("default").withName(podName).get();
        assertThat(pod.getMetadata().getLabels()).containsEntry(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_OPERATOR);
        long pid = Long.parseLong(pod.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
        return ProcessHandle.of(pid).orElseThrow();
    }

    private static int metricsPort(KubernetesClient client, String podName) {
        Pod pod = client.pods().inNamespace("default").withName(podName).get();
        return Integer.parseInt(pod.getMetadata().getAnnotations().get(Ferry.METRICS_PORT_ANNOTATION));
    }

    /** "status body" of the operator's probe at {@code path}. */
    private static String probe(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body().strip();
    }

    /** The operator other than {@code leader} whose log says it has started, if any. */
    private static Optional<String> startedStandby(KubernetesClient client, String leader) {
        return operatorPods(client).stream().filter(name -> !name.equals(leader))
                .filter(name -> client.pods().inNamespace("default").withName(name).getLog()
                        .contains("Ferry operator started"))
                .findFirst();
    }

    /** Operator pods with a running process. */
    private static List<String> operatorPods(KubernetesClient client) {
        return client.pods().inNamespace("default").withLabel(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_OPERATOR).list()
                .getItems().stream()
                .filter(p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(Ferry.PID_ANNOTATION)
                        && ProcessHandle.of(Long.parseLong(p.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION)))
                                .map(ProcessHandle::isAlive).orElse(false))
                .map(p -> p.getMetadata().getName()).toList();
    }

    private static String leader(KubernetesClient client) {
        Lease lease = client.leases().inNamespace("default").withName("ferry-operator").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }
}
