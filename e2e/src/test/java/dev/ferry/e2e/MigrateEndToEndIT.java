package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ferry migrate` as a user runs it: a subprocess of the launcher, the operator and three worker
 * processes, into a real S3 server; then the bucket is listed and every object compared with its
 * source file by path, size and SHA-256 — and by `rclone check` where rclone is installed.
 */
class MigrateEndToEndIT {
    private static final int SMALL_FILES = 2_100;
    private static final long BIG_FILE = 64L << 20;

    @RegisterExtension
    static final LocalS3PerClass S3 = new LocalS3PerClass("e2e-key", "e2e-secret");

    @TempDir
    static Path temp;

    @Test
    void migratesATreeOfTwoThousandFilesAndA64MiBFileWithThreeWorkers() throws Exception {
        Path source = temp.resolve("tree");
        SourceTree.generate(source, SMALL_FILES, BIG_FILE, 42);
        Map<String, String> expected = SourceTree.describe(source);
        assertThat(expected).hasSizeGreaterThan(2_000);

        List<String> args = new ArrayList<>(List.of("migrate", source.toString(), "s3://e2e-bucket/run-1",
                "--workers", "3", "--part-size", "8Mi", "--work-dir", temp.resolve(".ferry").toString(), "--json"));
        args.addAll(S3.endpointOptions());
        FerryProcess.Result result = FerryProcess.run(temp, Map.of(), 600, args.toArray(String[]::new));

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        JsonNode summary = new ObjectMapper().readTree(result.stdout());
        assertThat(summary.path("succeeded").asBoolean()).isTrue();
        assertThat(summary.path("files").path("total").asLong()).isEqualTo(expected.size());
        assertThat(summary.path("files").path("failed").asLong()).isZero();
        assertThat(ObjectListing.of(S3.s3(), S3.credentials(), "e2e-bucket", "run-1/")).isEqualTo(expected);
        System.out.printf("ferry migrate of %d files (%d MiB big file) with 3 workers: %d ms wall%n",
                expected.size(), BIG_FILE >> 20, result.millis());
        RcloneCheck.assertIdenticalIfInstalled(source, S3.s3().endpoint(), S3.credentials(), "e2e-bucket/run-1", temp);
    }

    @Test
    void refusesADestinationThatIsNotAnS3UrlWithAClearMessage() throws Exception {
        FerryProcess.Result result = FerryProcess.run(temp, Map.of(), 120, "migrate", temp.toString(), "demo");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("s3://BUCKET");
    }
}
