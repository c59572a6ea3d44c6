package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.api.DestinationSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.S3ProxyServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A job without {@code credentialsSecret}: its workers sign with their own identity, which the AWS SDK's default
 * chain finds. Here the identity is served as EKS Pod Identity and ECS serve it: a container credentials endpoint
 * (a local HTTP server, named by {@code aws.containerCredentialsFullUri} as the agent's webhook names it by
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}) answering session credentials that expire. Both ways a gateway sends
 * requests — the client's, and the single PUTs it signs itself — store objects in a real S3Proxy with them; and
 * a worker whose identity gives none has the store problem {@code S3_AUTH_FAILED} (its tasks wait), not a
 * failure of each file.
 */
class WorkerIdentityIT {
    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("identity");

    private static final String ENDPOINT_PROPERTY = "aws.containerCredentialsFullUri";

    private HttpServer agent;
    private final AtomicInteger served = new AtomicInteger();

    @BeforeEach
    void aCredentialsAgentOnLoopback() throws IOException {
        agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        agent.createContext("/v1/credentials", exchange -> {
            served.incrementAndGet();
            byte[] body = ("{\"AccessKeyId\":\"" + S3ProxyServer.ACCESS_KEY + "\",\"SecretAccessKey\":\"" + S3ProxyServer.SECRET_KEY
                    + "\",\"Token\":\"session-token\",\"Expiration\":\"" + Instant.now().plusSeconds(3600) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        agent.start();
        System.setProperty(ENDPOINT_PROPERTY, "http://127.0.0.1:" + agent.getAddress().getPort() + "/v1/credentials");
    }

    @AfterEach
    void stopTheAgent() {
        System.clearProperty(ENDPOINT_PROPERTY);
        System.clearProperty("aws.disableEc2Metadata");
        agent.stop(0);
    }

    @Test
    void storesWithTheCredentialsOfTheWorkersOwnIdentityWhenTheJobNamesNoSecret() throws Exception {
        byte[] data = "signed by the pod's identity".getBytes(StandardCharsets.UTF_8);
        String md5 = md5(data);
        try (EndpointPool pool = S3ClientFactory.forJob(null, jobWithoutSecret(), null)) {
            pool.callGateway(gateway -> gateway.putObject(S3.bucket(), "signed-put.txt", data, md5, Map.of(), null));
            pool.call(s3 -> s3.putObject(b -> b.bucket(S3.bucket()).key("client-put.txt"), RequestBody.fromBytes(data)));
            assertThat(pool.call(s3 -> s3.headObject(b -> b.bucket(S3.bucket()).key("signed-put.txt"))).contentLength())
                    .isEqualTo(data.length);
        }
        assertThat(S3.server().client().listObjectsV2(b -> b.bucket(S3.bucket())).contents())
                .extracting(o -> o.key()).containsExactlyInAnyOrder("signed-put.txt", "client-put.txt");
        assertThat(served).as("the credentials came from the agent").hasPositiveValue();
    }

    @Test
    void aWorkerWhoseIdentityGivesNoCredentialsHasAStoreProblemNotAFailedFile() {
        agent.stop(0); // the agent is down: nothing in the chain has credentials
        System.setProperty("aws.disableEc2Metadata", "true"); // nor asks an instance metadata service that is none
        try (EndpointPool pool = S3ClientFactory.forJob(null, jobWithoutSecret(), null)) {
            SdkException failure = catchThrowableOfType(SdkException.class, () ->
                    pool.call(s3 -> s3.headObject(b -> b.bucket(S3.bucket()).key("any"))));

            assertThat(S3Errors.classify(failure)).isEqualTo(S3Errors.ErrorClass.NO_CREDENTIALS);
            assertThat(S3Errors.storeProblem("copying", failure)).isNotNull();
            assertThat(S3Errors.describe(failure)).startsWith("S3_AUTH_FAILED: Unable to load credentials");
        }
    }

    private static MigrationJob jobWithoutSecret() {
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName("j").withNamespace("ns").build());
        job.setSpec(new MigrationJobSpec());
        DestinationSpec destination = new DestinationSpec();
        destination.bucket = S3.bucket();
        destination.endpoints = List.of(S3.server().endpoint().toString());
        destination.pathStyle = true;
        job.getSpec().destination = destination;
        return job;
    }

    private static String md5(byte[] data) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
    }
}
