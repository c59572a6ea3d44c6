package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ferry migrate` as a user runs it: a subprocess of the launcher, the operator and three worker
 * processes, into a real S3 server; then the bucket is listed and every object compared with its
 * source file by path, size and SHA-256 — and by `rclone check` where rclone is installed.
 */
class MigrateEndToEndIT {
    private static final int SMALL_FILES = 2_100;
    private static final long BIG_FILE = 64L << 20;
    private static final S3Credentials CREDENTIALS = new S3Credentials("e2e-key", "e2e-secret");

    @TempDir
    static Path temp;
    private static LocalS3 s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS);
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Test
    void migratesATreeOfTwoThousandFilesAndA64MiBFileWithThreeWorkers() throws Exception {
        Path source = temp.resolve("tree");
        SourceTree.generate(source, SMALL_FILES, BIG_FILE, 42);
        Map<String, String> expected = SourceTree.describe(source);
        assertThat(expected).hasSizeGreaterThan(2_000);

        FerryProcess.Result result = FerryProcess.run(temp, Map.of(), 600, "migrate", source.toString(),
                "s3://e2e-bucket/run-1", "--workers", "3", "--endpoint", s3.endpoint().toString(),
                "--access-key", CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey(),
                "--part-size", "8Mi", "--work-dir", temp.resolve(".ferry").toString(), "--json");

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        JsonNode summary = new ObjectMapper().readTree(result.stdout());
        assertThat(summary.path("succeeded").asBoolean()).isTrue();
        assertThat(summary.path("files").path("total").asLong()).isEqualTo(expected.size());
        assertThat(summary.path("files").path("failed").asLong()).isZero();
        assertThat(ObjectListing.of(s3, CREDENTIALS, "e2e-bucket", "run-1/")).isEqualTo(expected);
        System.out.printf("ferry migrate of %d files (%d MiB big file) with 3 workers: %d ms wall%n",
                expected.size(), BIG_FILE >> 20, result.millis());
        RcloneCheck.assertIdenticalIfInstalled(source, s3.endpoint(), CREDENTIALS, "e2e-bucket/run-1", temp);
    }

    @Test
    void refusesADestinationThatIsNotAnS3UrlWithAClearMessage() throws Exception {
        FerryProcess.Result result = FerryProcess.run(temp, Map.of(), 120, "migrate", temp.toString(), "demo");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("s3://BUCKET");
    }
}
