package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.local.S3Credentials;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** An independent check with rclone (size and MD5: ETag or rclone's md5chksum metadata) where installed. */
final class RcloneCheck {

    private RcloneCheck() {
    }

    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/rclone"));
    }

    static void assertIdenticalIfInstalled(Path source, URI endpoint, S3Credentials credentials, String bucketPath,
            Path temp) throws IOException, InterruptedException {
        if (!installed()) {
            System.out.println("rclone is not installed: independent check not run (the listing comparison ran)");
            return;
        }
        Path config = temp.resolve("rclone.conf");
        Files.writeString(config, """
                [s3]
                type = s3
                provider = Other
                access_key_id = %s
                secret_access_key = %s
                endpoint = %s
                region = us-east-1
                force_path_style = true
                """.formatted(credentials.accessKey(), credentials.secretKey(), endpoint));
        Path output = temp.resolve("rclone-check.txt");
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/rclone", "--config", config.toString(), "check",
                source.toString(), "s3:" + bucketPath, "--checkers", "8", "--one-way")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        // A custom CA bundle in the environment makes rclone refuse plain-http endpoints.
        builder.environment().remove("AWS_CA_BUNDLE");
        Process process = builder.start();
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("rclone check finished").isTrue();
        String report = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("rclone check:%n%s", report).isZero();
        assertThat(report).contains("0 differences found").doesNotContain("hashes could not be checked");
    }
}
