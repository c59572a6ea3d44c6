package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * A worker that dies or is stopped in the middle of the multipart upload of a large file (1023 MiB,
 * 32 parts of 32 MiB: one short of the 1 GiB at which the plan would split the file into Parts tasks,
 * so one holder at a time uploads it) does not cost the parts it sent: the next holder of the Copy
 * task finds the upload, verifies the stored parts against the file and sends only the missing ones.
 * Killed with SIGKILL, the worker's task is taken back by the operator; stopped with SIGTERM, the
 * worker finishes the parts in flight, releases the task (Pending, checkpoint kept) and exits within
 * Kubernetes' default termination grace of 30 s. The file is created once for the class (a random
 * MiB repeated, each MiB stamped with its index) and hard-linked into each test's source tree.
 */
class LargeFileResumeIT {
    private static final S3Credentials CREDENTIALS = new S3Credentials("resume-key", "resume-secret");
    static final long SIZE = 1023L * BigFile.MIB;
    static final int PARTS = 32;
    static final Duration GRACE = Duration.ofSeconds(30);

    @TempDir
    static Path shared;
    static Path bigFile;
    static String bigFileDescription;

    @TempDir
    Path temp;

    @BeforeAll
    static void oneLargeFileForTheClass() throws Exception {
        bigFile = BigFile.write(shared.resolve("large.bin"), SIZE, 42);
        try (var in = Files.newInputStream(bigFile)) {
            bigFileDescription = SIZE + ":" + SourceTree.sha256(in);
        }
    }

    @Test
    void aWorkerKilledInTheMiddleOfAMultipartUploadCostsOnlyTheMissingParts() throws Exception {
        Path source = Files.createDirectories(temp.resolve("tree"));
        Files.createLink(source.resolve("big.bin"), bigFile);
        Path workDir = temp.resolve(".ferry");

        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS);
             S3Client store = ObjectListing.client(s3, CREDENTIALS)) {
            // 64 MiB/s per worker: the kill lands with most parts still to send however fast the machine is
            // (unlimited, a fast day stored all 32 before the kill)
            BackgroundMigration migration = start(s3, workDir, "killed", source, "64Mi");
            String victim;
            int partsAtKill;
            TaskRecorder tasks;
            try (KubernetesClient client = migration.client()) {
                tasks = new TaskRecorder(migration.client(), "default");
                awaitPartsStored(store, migration, "killed", "big.bin", 8);
                String copyTask = tasks.tasksOfType("Copy").get(0);
                victim = tasks.last(copyTask).orElseThrow().worker();
                ProcessHandle.of(pidOf(client, victim)).orElseThrow().destroyForcibly();
                // the store may answer a listing with an error while it still writes a part it was sent
                partsAtKill = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> partsStored(store, "killed", "big.bin"), n -> n >= 8);
                System.out.printf("killed worker %s with %d of %d parts stored%n", victim, partsAtKill, PARTS);
            }

            FerryProcess.Result result = migration.result();
            tasks.close();
            assertSucceeded(result);
            String copyTask = tasks.tasksOfType("Copy").get(0);
            TaskRecorder.Seen last = tasks.last(copyTask).orElseThrow();
            assertThat(last.phase()).as("%s", tasks.of(copyTask)).isEqualTo(TaskPhase.Succeeded);
            assertThat(last.worker()).as("the next holder").isNotEqualTo(victim);
            MigrationTaskStatus.Progress progress = last.progress();
            System.out.printf("next holder: %d parts reused, %d sent; %d ms in all%n", progress.partsReused,
                    progress.partsUploaded, result.millis());
            assertThat(progress.partsReused).as("parts found stored and verified")
                    .isGreaterThanOrEqualTo((long) partsAtKill)
                    .as("at most the parts in flight (--concurrency 4) completed by the store after the listing")
                    .isLessThanOrEqualTo(partsAtKill + 4L);
            assertThat(progress.partsUploaded).as("only the missing parts are sent")
                    .isEqualTo(PARTS - progress.partsReused);
            assertThat(ObjectListing.of(s3, CREDENTIALS, "killed", "")).isEqualTo(Map.of("big.bin", bigFileDescription));
            assertThat(store.listMultipartUploads(b -> b.bucket("killed")).uploads()).isEmpty();
        }
    }

    @Test
    void aWorkerStoppedWithSigtermReleasesItsTaskWithinTheGraceAndItsPartsAreReused() throws Exception {
        Path source = Files.createDirectories(temp.resolve("tree"));
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 5; i++) {
            byte[] content = ("small file " + i + "\n").getBytes(StandardCharsets.UTF_8);
            Files.write(source.resolve("a-" + i + ".txt"), content);
            expected.put("a-" + i + ".txt", content.length + ":" + SourceTree.sha256(new ByteArrayInputStream(content)));
        }
        Files.createLink(source.resolve("z-big.bin"), bigFile);
        expected.put("z-big.bin", bigFileDescription);
        Path workDir = temp.resolve(".ferry");

        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS);
             S3Client store = ObjectListing.client(s3, CREDENTIALS)) {
            // 32 MiB/s per worker: what is left of the file after 8 parts takes longer than the drain grace
            // (15 s), so the stopped worker releases the task rather than finishing the file (unlimited, a
            // fast day sent the other 24 parts in 4 s and the task Succeeded on the stopped worker)
            BackgroundMigration migration = start(s3, workDir, "stopped", source, "32Mi");
            String victim;
            String copyTask;
            TaskRecorder tasks;
            try (KubernetesClient client = migration.client()) {
                tasks = new TaskRecorder(migration.client(), "default");
                awaitPartsStored(store, migration, "stopped", "z-big.bin", 8);
                copyTask = tasks.tasksOfType("Copy").get(0);
                victim = tasks.last(copyTask).orElseThrow().worker();
                ProcessHandle process = ProcessHandle.of(pidOf(client, victim)).orElseThrow();
                long start = System.nanoTime();
                process.destroy(); // SIGTERM
                process.onExit().get(2 * GRACE.toSeconds(), TimeUnit.SECONDS);
                Duration exited = Duration.ofNanos(System.nanoTime() - start);
                System.out.printf("worker %s exited %d ms after SIGTERM%n", victim, exited.toMillis());
                assertThat(exited).as("exit within Kubernetes' default termination grace").isLessThan(GRACE);

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(tasks.of(copyTask))
                        .as("released by the stopped worker: Pending, checkpoint after the 5 small files")
                        .anySatisfy(seen -> {
                            assertThat(seen.phase()).isEqualTo(TaskPhase.Pending);
                            assertThat(seen.worker()).isEqualTo(victim);
                            assertThat(seen.message()).startsWith("released on worker shutdown");
                            assertThat(seen.progress().checkpoint).isEqualTo("5");
                            assertThat(seen.progress().copied).isEqualTo(5);
                        }));
            }

            FerryProcess.Result result = migration.result();
            tasks.close();
            assertSucceeded(result);
            TaskRecorder.Seen last = tasks.last(copyTask).orElseThrow();
            assertThat(last.phase()).as("%s", tasks.of(copyTask)).isEqualTo(TaskPhase.Succeeded);
            assertThat(last.worker()).isNotEqualTo(victim);
            MigrationTaskStatus.Progress progress = last.progress();
            System.out.printf("next holder: %d parts reused, %d sent; %d ms in all%n", progress.partsReused,
                    progress.partsUploaded, result.millis());
            assertThat(progress.copied).as("the small files were not copied again").isEqualTo(6);
            assertThat(progress.partsReused).as("the parts the stopped worker finished").isGreaterThanOrEqualTo(8);
            assertThat(progress.partsUploaded).isEqualTo(PARTS - progress.partsReused);
            assertThat(ObjectListing.of(s3, CREDENTIALS, "stopped", "")).isEqualTo(expected);
        }
    }

    private static BackgroundMigration start(LocalS3 s3, Path workDir, String name, Path source, String bandwidthLimit) {
        return BackgroundMigration.start(workDir.getParent(), workDir, name, source.toString(), "s3://" + name,
                "--workers", "2", "--part-size", "32Mi", "--concurrency", "4", "--endpoint", s3.endpoint().toString(),
                "--bandwidth-limit", bandwidthLimit,
                "--access-key", CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey());
    }

    private static void assertSucceeded(FerryProcess.Result result) throws Exception {
        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        JsonNode summary = new ObjectMapper().readTree(result.stdout());
        assertThat(summary.path("files").path("failed").asLong()).isZero();
    }

    static void awaitPartsStored(S3Client store, BackgroundMigration migration, String bucket, String key, int parts) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> migration.isDone() || partsStored(store, bucket, key) >= parts);
        assertThat(migration.isDone()).as("the migration must still be running").isFalse();
    }

    /** Parts stored so far in the (one) unfinished upload of {@code key}; throws when the store cannot tell. */
    static int partsStored(S3Client store, String bucket, String key) {
        List<MultipartUpload> uploads = store.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream()
                .filter(u -> key.equals(u.key())).toList();
        return uploads.isEmpty() ? 0 : store.listParts(b -> b.bucket(bucket).key(key)
                .uploadId(uploads.get(0).uploadId())).parts().size();
    }

    static long pidOf(KubernetesClient client, String podName) {
        Pod pod = client.pods().inNamespace("default").withName(podName).get();
        return Long.parseLong(pod.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
    }
}
