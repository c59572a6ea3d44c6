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
        assertThat(summary.path("audit").path("checked").asLong()).as("the audit checked every planned file")
                .isEqualTo(expected.size());
        assertThat(summary.path("audit").path("reported").asLong()).isZero();
        assertThat(summary.has("failureReport")).as("nothing to report").isFalse();
        try (var s3 = ObjectListing.client(S3.s3(), S3.credentials())) {
            assertThat(s3.listObjectsV2Paginator(b -> b.bucket("e2e-bucket").prefix("run-1/.ferry/")).contents())
                    .filteredOn(o -> !o.key().endsWith("/")).as("the job's state (manifests) is gone after the audit")
                    .isEmpty();
        }
        System.out.printf("ferry migrate of %d files (%d MiB big file) with 3 workers: %d ms wall%n",
                expected.size(), BIG_FILE >> 20, result.millis());
        RcloneCheck.assertIdenticalIfInstalled(source, S3.s3().endpoint(), S3.credentials(), "e2e-bucket/run-1", temp);
    }

    @Test
    void aFileTheStoreCannotTakeFailsTheJobAndIsInTheFailureReport() throws Exception {
        Path source = temp.resolve("with-a-long-name");
        Files.createDirectories(source);
        for (int i = 0; i < 3; i++) {
            Files.writeString(source.resolve("ok-" + i + ".txt"), "fine " + i);
        }
        // Five directories of 240 characters: the key passes S3's 1,024 bytes, the path is fine on disk.
        Path deep = source;
        for (int i = 0; i < 5; i++) {
            deep = deep.resolve(String.valueOf((char) ('a' + i)).repeat(240));
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("too-long.txt"), "no key for me");

        List<String> args = new ArrayList<>(List.of("migrate", source.toString(), "s3://e2e-bucket/run-2",
                "--work-dir", temp.resolve(".ferry-2").toString(), "--json"));
        args.addAll(S3.endpointOptions());
        FerryProcess.Result result = FerryProcess.run(temp, Map.of(), 300, args.toArray(String[]::new));

        assertThat(result.exitCode()).as("the job failed; stderr:%n%s", result.stderr()).isNotZero();
        JsonNode summary = new ObjectMapper().readTree(result.stdout());
        assertThat(summary.path("succeeded").asBoolean()).isFalse();
        assertThat(summary.path("files").path("failed").asLong()).isEqualTo(1);
        assertThat(summary.path("audit").path("checked").asLong()).isEqualTo(4);
        assertThat(summary.path("audit").path("reported").asLong()).as("copied once more, and refused again").isEqualTo(1);
        String report = summary.path("failureReport").asText();
        assertThat(report).startsWith("s3://e2e-bucket/run-2/.ferry/").endsWith("/failure-report.jsonl");
        String key = report.substring("s3://e2e-bucket/".length());
        try (var s3 = ObjectListing.client(S3.s3(), S3.credentials())) {
            List<String> lines = s3.getObjectAsBytes(b -> b.bucket("e2e-bucket").key(key)).asUtf8String().lines().toList();
            assertThat(lines).hasSize(1);
            JsonNode line = new ObjectMapper().readTree(lines.get(0));
            assertThat(line.path("path").asText()).endsWith("/too-long.txt");
            assertThat(line.path("code").asText()).isEqualTo("KEY_TOO_LONG");
            assertThat(line.path("audit").asText()).isEqualTo("MISSING");
            assertThat(line.path("recopied").asBoolean()).isFalse();
            assertThat(line.path("task").asText()).isNotEmpty();
        }
    }

    @Test
    void withoutKeysTheRunSignsWithTheCallersAwsProfile() throws Exception {
        Path source = temp.resolve("profile-tree");
        SourceTree.generate(source, 40, 0, 7);
        // an AWS profile, as `aws configure` writes it: neither --access-key nor AWS_ACCESS_KEY_ID is given
        Path credentials = Files.writeString(temp.resolve("aws-credentials"), "[archive]\naws_access_key_id = "
                + S3.credentials().accessKey() + "\naws_secret_access_key = " + S3.credentials().secretKey() + "\n");
        Path config = Files.writeString(temp.resolve("aws-config"), "[profile archive]\nregion = us-east-1\n");
        Map<String, String> env = Map.of("AWS_SHARED_CREDENTIALS_FILE", credentials.toString(),
                "AWS_CONFIG_FILE", config.toString(), "AWS_PROFILE", "archive");

        FerryProcess.Result result = FerryProcess.run(temp, env, 300, "migrate", source.toString(),
                "s3://e2e-bucket/profile", "--work-dir", temp.resolve(".ferry-profile").toString(), "--json",
                "--endpoint", S3.s3().endpoint().toString(), "--name", "profile");

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        assertThat(result.stderr()).contains("signing with the AWS SDK's default chain");
        assertThat(ObjectListing.of(S3.s3(), S3.credentials(), "e2e-bucket", "profile/"))
                .isEqualTo(SourceTree.describe(source));
    }

    @Test
    void refusesADestinationThatIsNotAnS3UrlWithAClearMessage() throws Exception {
        FerryProcess.Result result = FerryProcess.run(temp, Map.of(), 120, "migrate", temp.toString(), "demo");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("s3://BUCKET");
    }

    @Test
    void aJobTheApiRefusesIsAUsageErrorOfOneLineNotAStackTrace() throws Exception {
        // The CLI checks its options' shapes; the CRD's ranges are the API's to enforce, as on a cluster.
        FerryProcess.Result result = FerryProcess.run(temp, Map.of(), 120, "migrate", temp.toString(), "s3://demo",
                "--concurrency", "100000", "--work-dir", temp.resolve("work").toString());

        assertThat(result.exitCode()).as("stderr:%n%s", result.stderr()).isEqualTo(2);
        assertThat(result.stderr()).contains("ferry: the job was refused: ")
                .contains("spec.workers.concurrency in body should be less than or equal to 1024")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }
}
