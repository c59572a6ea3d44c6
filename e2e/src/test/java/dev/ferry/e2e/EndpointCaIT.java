package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.runtime.EndpointTrust;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.TrustManager;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A store behind an internal CA (an on-premises gateway's self-signed certificate): `ferry migrate --ca-bundle`
 * trusts it through the whole operator/worker path (the job's {@code spec.destination.endpointCA}, the Secret,
 * the worker's environment); without the CA the run stops at once and says what to give.
 */
class EndpointCaIT {
    private static final String ACCESS_KEY = "tls-key";
    private static final String SECRET_KEY = "tls-secret";
    private static final String PASSWORD = "keystore-secret";

    @TempDir
    static Path temp;
    static BlobStoreContext blobs;
    static S3Proxy proxy;
    static URI endpoint;
    static Path caBundle;

    @BeforeAll
    static void storeWithACertificateOfItsOwnCa() throws Exception {
        Path keyStore = temp.resolve("gateway.p12");
        keytool("-genkeypair", "-alias", "gateway", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=gateway.internal", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD);
        caBundle = temp.resolve("internal-ca.pem");
        keytool("-exportcert", "-rfc", "-alias", "gateway", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-file", caBundle.toString());
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", Files.createDirectories(temp.resolve("blobs")).toString());
        blobs = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(properties)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(blobs.getBlobStore())
                .secureEndpoint(URI.create("https://127.0.0.1:0"))
                .keyStore(keyStore.toString(), PASSWORD)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        endpoint = URI.create("https://127.0.0.1:" + proxy.getSecurePort());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.stop();
        blobs.close();
    }

    @Test
    void aRunGivenTheCaCopiesEveryFileOverTls() throws Exception {
        Path source = temp.resolve("tree");
        SourceTree.generate(source, 40, 6 << 20, 11);
        Map<String, String> expected = SourceTree.describe(source);

        FerryProcess.Result result = migrate(source, "s3://tls/tree", "--ca-bundle", caBundle.toString(),
                "--part-size", "5Mi");

        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        JsonNode summary = new ObjectMapper().readTree(result.stdout());
        assertThat(summary.path("files").path("copied").asLong()).isEqualTo(expected.size());
        assertThat(objects("tls", "tree/")).isEqualTo(expected);
    }

    @Test
    void aRunWithoutTheCaStopsBeforeTheJobAndNamesTheOption() throws Exception {
        Path source = temp.resolve("untrusted");
        SourceTree.generate(source, 3, 0, 12);

        FerryProcess.Result result = migrate(source, "s3://tls/untrusted");

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.stderr()).contains("cannot reach bucket tls at " + endpoint)
                .contains("TLS certificate is not trusted").contains("--ca-bundle");
    }

    @Test
    void aBundleThatHoldsNoCertificateIsRefusedAtOnce() throws Exception {
        Path notPem = Files.writeString(temp.resolve("not-a-ca.pem"), "gateway.internal's CA\n");

        FerryProcess.Result result = migrate(temp.resolve("tree"), "s3://tls/refused", "--ca-bundle", notPem.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("--ca-bundle " + notPem).contains("BEGIN CERTIFICATE");
    }

    private static FerryProcess.Result migrate(Path source, String destination, String... options) throws Exception {
        Files.createDirectories(source);
        String[] args = Stream.of(Stream.of("migrate", source.toString(), destination, "--endpoint", endpoint.toString(),
                        "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY, "--workers", "2",
                        "--work-dir", temp.resolve(".ferry").toString(), "--json"), Stream.of(options))
                .flatMap(s -> s).toArray(String[]::new);
        return FerryProcess.run(temp, Map.of(), 300, args);
    }

    /** Size and SHA-256 of every object under {@code prefix}, read over TLS trusting the CA as a user's tool would. */
    private static Map<String, String> objects(String bucket, String prefix) throws Exception {
        TrustManager[] trust = EndpointTrust.trustManagers(EndpointTrust.certificates(Files.readString(caBundle)));
        try (S3Client client = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder().tlsTrustManagersProvider(() -> trust)).build()) {
            Map<String, String> objects = new TreeMap<>();
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                if (object.key().contains(".ferry/") || object.key().endsWith("/")) {
                    continue; // Ferry's state prefix; the filesystem store's directory entries
                }
                try (InputStream in = client.getObject(b -> b.bucket(bucket).key(object.key()))) {
                    objects.put(object.key().substring(prefix.length()), object.size() + ":" + SourceTree.sha256(in));
                }
            }
            return objects;
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = Stream.concat(
                Stream.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()), Stream.of(args)).toList();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as("keytool: %s", output).isTrue();
    }
}
