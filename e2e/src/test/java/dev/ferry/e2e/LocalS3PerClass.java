package dev.ferry.e2e;

import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3 (S3Proxy on loopback, as the local mode runs it) shared by the tests of one class, with
 * its data in a directory of its own; {@link #endpointOptions()} points `ferry migrate` at it.
 */
final class LocalS3PerClass implements BeforeAllCallback, AfterAllCallback {
    private final S3Credentials credentials;
    private Path data;
    private LocalS3 s3;

    LocalS3PerClass(String accessKey, String secretKey) {
        this.credentials = new S3Credentials(accessKey, secretKey);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        data = Files.createTempDirectory("ferry-e2e-s3");
        s3 = LocalS3.start(0, data, credentials);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        s3.close();
        try (Stream<Path> paths = Files.walk(data)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover temp directory is not a test failure
        }
    }

    LocalS3 s3() {
        return s3;
    }

    S3Credentials credentials() {
        return credentials;
    }

    /** `--endpoint URL --access-key K --secret-key S` for this store. */
    List<String> endpointOptions() {
        return List.of("--endpoint", s3.endpoint().toString(), "--access-key", credentials.accessKey(),
                "--secret-key", credentials.secretKey());
    }
}
