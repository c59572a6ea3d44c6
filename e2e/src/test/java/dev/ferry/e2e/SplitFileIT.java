package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.TaskPhase;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A file of 1 GiB — the default {@code spec.tasks.splitFileSize} — is split by the plan into Parts
 * tasks (32 parts of 32 MiB, 4 tasks of 8 parts) that three worker processes upload into one
 * multipart upload; the holder that stores the last part completes it. The object's SHA-256 is the
 * file's, the file is counted once, and the Parts tasks were held by more than one worker.
 */
class SplitFileIT {
    private static final S3Credentials CREDENTIALS = new S3Credentials("split-key", "split-secret");
    static final long SIZE = 1L << 30;

    @TempDir
    Path temp;

    @Test
    void aOneGibFileIsUploadedInPartsByThreeWorkersIntoOneObjectThatIsTheFile() throws Exception {
        Path source = Files.createDirectories(temp.resolve("tree"));
        Path file = BigFile.write(source.resolve("huge.bin"), SIZE, 7);
        String description;
        try (var in = Files.newInputStream(file)) {
            description = SIZE + ":" + SourceTree.sha256(in);
        }
        Path workDir = temp.resolve(".ferry");

        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS);
             S3Client store = ObjectListing.client(s3, CREDENTIALS)) {
            BackgroundMigration migration = BackgroundMigration.start(temp, workDir, "split", source.toString(),
                    "s3://split", "--workers", "3", "--part-size", "32Mi", "--concurrency", "4", "--endpoint", s3.endpoint().toString(),
                    "--access-key", CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey());
            TaskRecorder tasks;
            try (KubernetesClient client = migration.client()) {
                tasks = new TaskRecorder(migration.client(), "default");
                FerryProcess.Result result = migration.result();
                tasks.close();
                assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
                JsonNode summary = new ObjectMapper().readTree(result.stdout());
                assertThat(summary.path("files").path("total").asLong()).isEqualTo(1);
                assertThat(summary.path("files").path("copied").asLong()).isEqualTo(1);
                System.out.printf("1 GiB in Parts tasks: %d ms%n", result.millis());
            }

            List<String> parts = tasks.tasksOfType("Parts");
            assertThat(parts).hasSize(4);
            Set<String> holders = parts.stream().flatMap(t -> tasks.of(t).stream())
                    .filter(seen -> seen.phase() == TaskPhase.Running)
                    .map(TaskRecorder.Seen::worker).filter(Objects::nonNull).collect(Collectors.toSet());
            System.out.printf("Parts tasks held by %s%n", holders);
            assertThat(holders).as("workers that ran Parts tasks").hasSizeGreaterThan(1);
            assertThat(parts).allSatisfy(t -> assertThat(tasks.last(t).orElseThrow().phase()).isEqualTo(TaskPhase.Succeeded));
            assertThat(parts.stream().mapToLong(t -> tasks.last(t).orElseThrow().progress().copied).sum())
                    .as("the file is counted once").isEqualTo(1);
            assertThat(parts.stream().mapToLong(t -> tasks.last(t).orElseThrow().progress().bytes).sum()).isEqualTo(SIZE);
            assertThat(ObjectListing.of(s3, CREDENTIALS, "split", "")).isEqualTo(Map.of("huge.bin", description));
            assertThat(store.listMultipartUploads(b -> b.bucket("split")).uploads()).isEmpty();
        }
    }
}
