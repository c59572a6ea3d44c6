package dev.ferry.local;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.LocalStorageStrategy;

/**
 * The embedded S3 of the local mode: S3Proxy over a filesystem blobstore, on loopback only.
 * Each bucket is a directory under the data directory and each object a file, so a migration's
 * result can be inspected with ls as well as with any S3 tool.
 */
public final class LocalS3 implements AutoCloseable {
    public static final String DEFAULT_ACCESS_KEY = "ferry-local";
    public static final String DEFAULT_SECRET_KEY = "ferry-local-secret";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final S3Credentials credentials;
    private final Path dataDir;

    private LocalS3(S3Proxy proxy, BlobStoreContext context, S3Credentials credentials, Path dataDir) {
        this.proxy = proxy;
        this.context = context;
        this.credentials = credentials;
        this.dataDir = dataDir;
    }

    /** Starts S3Proxy on 127.0.0.1:{@code port} (0 picks a free port) storing data under {@code dataDir}. */
    public static LocalS3 start(int port, Path dataDir, S3Credentials credentials) throws Exception {
        Files.createDirectories(dataDir);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
        // jclouds' "filesystem" provider, not S3Proxy's "filesystem-nio2": nio2 leaves the temp file
        // of a PUT whose client died (a killed worker) in the bucket, and every later listing of the
        // bucket then fails with 500 on its missing metadata.
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                .credentials(credentials.accessKey(), credentials.secretKey())
                .overrides(properties)
                .build(BlobStoreContext.class);
        LocalStorageStrategy storage = context.utils().injector().getInstance(LocalStorageStrategy.class);
        PagedFolderListings blobStore = new PagedFolderListings(context.getBlobStore(), storage, dataDir.toAbsolutePath(),
                Clock.systemUTC());
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, credentials.accessKey(), credentials.secretKey())
                // Lenient for the tools a user points at the embedded store (aws CLI v2 sends flexible
                // checksum headers S3Proxy does not know); the worker's own requests are tested against a
                // strict S3Proxy (worker-image's S3ProxyServer).
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState()) || Instant.now().isAfter(deadline)) {
                context.close();
                throw new IllegalStateException("embedded S3 did not start on port " + port + " (state " + proxy.getState() + ")");
            }
            Thread.sleep(20);
        }
        return new LocalS3(proxy, context, credentials, dataDir);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public int port() {
        return proxy.getPort();
    }

    public S3Credentials credentials() {
        return credentials;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
