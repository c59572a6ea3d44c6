package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hung worker does not hold a job for ever. The only worker of a job is stopped with SIGSTOP: to
 * everyone outside it is a hung JVM (its pod still looks Ready, its process still exists). Its Lease
 * expires and its tasks go back to Pending; once the Lease has stayed expired for the grace (here 2 s
 * after a Lease of 6 s, through the environment; 30 s after 15 s by default) the operator deletes the pod, the
 * Deployment starts another, and the job succeeds with every file verified. Before, the job waited for
 * ever: the Deployment counted the hung pod as its one replica.
 */
class HungWorkerIT {
    private static final S3Credentials CREDENTIALS = new S3Credentials("hung-key", "hung-secret");

    @TempDir
    Path temp;

    @Test
    void theOnlyWorkerOfAJobHangsItsPodIsReplacedAndTheJobSucceeds() throws Exception {
        Path source = temp.resolve("tree");
        SourceTree.generate(source, 800, 1 << 20, 5);
        Map<String, String> expected = SourceTree.describe(source);
        Path workDir = temp.resolve(".ferry");

        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS)) {
            BackgroundMigration migration = BackgroundMigration.start(temp, workDir, "hung",
                    // short Leases and grace, so that the test does not wait 45 s; the workers and the operator
                    // process inherit the environment of `ferry`
                    Map.of("FERRY_LEASE_DURATION_SECONDS", "6", "FERRY_LEASE_RENEW_SECONDS", "2",
                            "FERRY_HUNG_WORKER_GRACE_SECONDS", "2"), source.toString(), "s3://hung",
                    "--operators", "1", "--workers", "1", "--max-files", "100", "--endpoint", s3.endpoint().toString(),
                    "--access-key", CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey());
            try (KubernetesClient client = migration.client()) {
                // hung while copying: as soon as it runs its first Copy task, with the others still to come
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(() -> migration.isDone() || copying(client));
                assertThat(migration.isDone()).as("the job must still be running when its worker hangs").isFalse();
                Pod hung = workers(client).get(0);
                long pid = Long.parseLong(hung.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
                assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor()).isZero();
                System.out.printf("stopped worker %s (pid %d) at %d files done%n", hung.getMetadata().getName(), pid,
                        job(client).getStatus().files.done());
                long stoppedAt = System.nanoTime();

                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .untilAsserted(() -> assertThat(events(client)).anySatisfy(e -> {
                            assertThat(e.getReason()).isEqualTo("WorkerPodDeleted");
                            assertThat(e.getMessage()).startsWith("deleted worker pod " + hung.getMetadata().getName());
                        }));
                System.out.printf("its pod deleted %d ms after it stopped%n", (System.nanoTime() - stoppedAt) / 1_000_000);
                assertThat(migration.isDone()).as("the job waited for a worker").isFalse();
            }

            migration.assertEveryFileMigrated(s3, CREDENTIALS, "hung", expected);
        }
    }

    private static MigrationJob job(KubernetesClient client) {
        return client.resources(MigrationJob.class).inNamespace("default").withName("hung").get();
    }

    private static boolean copying(KubernetesClient client) {
        return client.resources(MigrationTask.class).inNamespace("default").withLabel(Ferry.JOB_LABEL, "hung").list()
                .getItems().stream().anyMatch(t -> t.getSpec().type == TaskType.Copy && t.getStatus() != null
                        && t.getStatus().phase == TaskPhase.Running);
    }

    private static List<Pod> workers(KubernetesClient client) {
        return client.pods().inNamespace("default").withLabel(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER)
                .withLabel(Ferry.JOB_LABEL, "hung").list().getItems().stream()
                .filter(p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(Ferry.PID_ANNOTATION))
                .toList();
    }

    private static List<Event> events(KubernetesClient client) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "hung".equals(e.getInvolvedObject().getName())).toList();
    }
}
