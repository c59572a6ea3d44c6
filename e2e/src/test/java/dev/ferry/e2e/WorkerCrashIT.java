package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node failure loses nothing: `kill -9` of one of three worker processes in the middle of a
 * 5,000-file job; its tasks go back to Pending with a new epoch, other workers finish them, and
 * every file is verified at the destination. The worker is found the way a user would find it:
 * through the job's kubeconfig, by label, and its pid annotation.
 */
class WorkerCrashIT {
    private static final S3Credentials CREDENTIALS = new S3Credentials("crash-key", "crash-secret");

    @TempDir
    Path temp;

    @Test
    void aKilledWorkerLosesNoFileAndTheJobSucceeds() throws Exception {
        Path source = temp.resolve("tree");
        SourceTree.generate(source, 5_000, 1 << 20, 7);
        Map<String, String> expected = SourceTree.describe(source);
        Path workDir = temp.resolve(".ferry");

        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS)) {
            BackgroundMigration migration = BackgroundMigration.start(temp, workDir, "crash", source.toString(),
                    "s3://crash", "--workers", "3", "--max-files", "100", "--endpoint", s3.endpoint().toString(),
                    "--access-key", CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey());
            try (KubernetesClient client = migration.client()) {
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    MigrationJob job = client.resources(MigrationJob.class).inNamespace("default").withName("crash").get();
                    return migration.isDone() || job != null && job.getStatus() != null
                            && job.getStatus().files.done() >= 1_000 && workers(client).size() == 3;
                });
                assertThat(migration.isDone()).as("the job must still be running when the worker is killed").isFalse();
                Pod victim = workers(client).get(0);
                long killedPid = Long.parseLong(victim.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
                ProcessHandle.of(killedPid).orElseThrow().destroyForcibly();
                System.out.printf("killed worker %s (pid %d) at %d files done%n", victim.getMetadata().getName(),
                        killedPid, client.resources(MigrationJob.class).inNamespace("default").withName("crash")
                                .get().getStatus().files.done());
            }

            migration.assertEveryFileMigrated(s3, CREDENTIALS, "crash", expected);
        }
    }

    /**
     * The other way round: `kill -9` of the `ferry` process itself (its API, S3 and kubelet die with it) leaves no
     * worker process behind to retry a vanished API for ever.
     */
    @Test
    void aKilledFerryProcessLeavesNoWorkerProcessBehind() throws Exception {
        Path source = temp.resolve("slow-tree");
        SourceTree.generate(source, 2_000, 0, 11);
        BackgroundMigration migration = BackgroundMigration.start(temp, temp.resolve(".ferry-killed"), "orphans",
                source.toString(), "s3://orphans", "--workers", "2", "--bandwidth-limit", "256Ki");
        List<ProcessHandle> workerProcesses;
        try (KubernetesClient client = migration.client()) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> migration.isDone() || workers(client, "orphans").size() == 2);
            assertThat(migration.isDone()).as("the job must still be running when ferry is killed").isFalse();
            workerProcesses = workers(client, "orphans").stream()
                    .map(p -> ProcessHandle.of(Long.parseLong(p.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION)))
                            .orElseThrow())
                    .toList();
        }
        ProcessHandle ferry = workerProcesses.get(0).parent().orElseThrow();
        assertThat(workerProcesses).allSatisfy(w -> assertThat(w.parent()).contains(ferry));

        ferry.destroyForcibly();

        assertThat(migration.result().exitCode()).as("killed").isNotZero();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> workerProcesses.stream().noneMatch(ProcessHandle::isAlive));
    }

    private static List<Pod> workers(KubernetesClient client) {
        return workers(client, "crash");
    }

    private static List<Pod> workers(KubernetesClient client, String job) {
        return client.pods().inNamespace("default")
                .withLabel(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER).withLabel(Ferry.JOB_LABEL, job)
                .list().getItems().stream()
                .filter(p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(Ferry.PID_ANNOTATION))
                .toList();
    }
}
