package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leader failover loses nothing: two operator processes elect a leader through the Lease
 * `ferry-operator`; `kill -9` of the leader in the middle of a job hands the Lease to the other,
 * which continues from the state in the API, and the job succeeds with every file verified.
 */
class OperatorFailoverIT {
    private static final S3Credentials CREDENTIALS = new S3Credentials("failover-key", "failover-secret");

    @TempDir
    Path temp;

    @Test
    void theOtherOperatorTakesOverWhenTheLeaderIsKilled() throws Exception {
        Path source = temp.resolve("tree");
        SourceTree.generate(source, 3_000, 1 << 20, 11);
        Map<String, String> expected = SourceTree.describe(source);
        Path workDir = temp.resolve(".ferry");

        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS)) {
            BackgroundMigration migration = BackgroundMigration.start(temp, workDir, "failover", source.toString(),
                    "s3://failover", "--operators", "2", "--workers", "2", "--max-files", "100", "--endpoint", s3.endpoint().toString(),
                    "--access-key", CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey());
            try (KubernetesClient client = migration.client()) {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> {
                            MigrationJob job = client.resources(MigrationJob.class).inNamespace("default")
                                    .withName("failover").get();
                            return migration.isDone() || leader(client) != null && job.getStatus() != null
                                    && job.getStatus().files.done() >= 300;
                        });
                assertThat(migration.isDone()).as("the job must still be running when the leader is killed").isFalse();
                String killed = leader(client);
                Pod pod = client.pods().inNamespace("default").withName(killed).get();
                assertThat(pod.getMetadata().getLabels()).containsEntry(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_OPERATOR);
                long pid = Long.parseLong(pod.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();

                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> leader(client) != null && !killed.equals(leader(client)));
                System.out.printf("killed leading operator %s (pid %d); %s took the Lease%n", killed, pid, leader(client));
            }

            FerryProcess.Result result = migration.result();
            assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
            JsonNode summary = new ObjectMapper().readTree(result.stdout());
            assertThat(summary.path("files").path("total").asLong()).isEqualTo(expected.size());
            assertThat(summary.path("files").path("failed").asLong()).isZero();
            assertThat(ObjectListing.of(s3, CREDENTIALS, "failover", "")).isEqualTo(expected);
        }
    }

    private static String leader(KubernetesClient client) {
        Lease lease = client.leases().inNamespace("default").withName("ferry-operator").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }
}
