package dev.ferry.worker.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real S3Proxy for a test class and a fresh, empty bucket for every test, so tests never see each
 * other's objects. Register as {@code @RegisterExtension static final S3ProxyPerClass S3 = new S3ProxyPerClass("name")}.
 */
public final class S3ProxyPerClass implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final String bucketPrefix;
    private final AtomicInteger buckets = new AtomicInteger();
    private Path blobs;
    private S3ProxyServer server;
    private String bucket;

    public S3ProxyPerClass(String bucketPrefix) {
        this.bucketPrefix = bucketPrefix;
    }

    public S3ProxyServer server() {
        return server;
    }

    /** The current test's bucket. */
    public String bucket() {
        return bucket;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        blobs = Files.createTempDirectory("s3proxy-" + bucketPrefix);
        server = S3ProxyServer.start(blobs);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        bucket = bucketPrefix + "-" + buckets.incrementAndGet();
        server.createBucket(bucket);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            server.close();
        } finally {
            try (Stream<Path> files = Files.walk(blobs)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
