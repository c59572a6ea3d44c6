package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** How a signed PUT is built and retried; the store is a stand-in that answers what a test needs. */
class SignedPutTest {
    private static final AwsCredentialsIdentity KEYS = AwsCredentialsIdentity.create("a", "b");
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void putsPathStyleUnderTheEndpointsOwnPathWithTheClientsHeaders() {
        SignedPut put = new SignedPut(URI.create("https://gw.example:9443/s3/"), "eu-west-1", KEYS,
                ApacheHttpClient.create(), AwsRetryStrategy.standardRetryStrategy());

        SdkHttpFullRequest request = put.request("bucket", "a dir/ü+x.txt", 5, "md5==",
                Map.of("mtime", "1"), "STANDARD_IA");

        assertThat(request.getUri().toString()).isEqualTo("https://gw.example:9443/s3/bucket/a%20dir/%C3%BC%2Bx.txt");
        assertThat(request.firstMatchingHeader("Content-MD5")).hasValue("md5==");
        assertThat(request.firstMatchingHeader("Content-Length")).hasValue("5");
        assertThat(request.firstMatchingHeader("x-amz-meta-mtime")).hasValue("1");
        assertThat(request.firstMatchingHeader("x-amz-storage-class")).hasValue("STANDARD_IA");
    }

    @Test
    void anEndpointWithoutAPortUsesTheSchemesPortAndNoStorageClassHeaderWhenNoneIsSet() {
        SignedPut put = new SignedPut(URI.create("http://gw.example"), "us-east-1", KEYS,
                ApacheHttpClient.create(), AwsRetryStrategy.standardRetryStrategy());

        SdkHttpFullRequest request = put.request("b", "k", 0, "m", Map.of(), null);

        assertThat(request.getUri().toString()).isEqualTo("http://gw.example/b/k");
        assertThat(request.firstMatchingHeader("x-amz-storage-class")).isEmpty();
    }

    @Test
    void leavesTheBodyUnsignedButSignsItsContentMd5() throws Exception {
        Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            seen.put("sha256", exchange.getRequestHeaders().getFirst("x-amz-content-sha256"));
            seen.put("authorization", exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.getResponseHeaders().add("ETag", "\"etag\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();

        put(AwsRetryStrategy.standardRetryStrategy());

        assertThat(seen.get("sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(seen.get("authorization")).containsPattern("SignedHeaders=[^,]*content-md5");
    }

    @Test
    void signsThePayloadFromTheFirstRefusalOnWhenTheStoreDoesNotTakeItUnsigned() throws Exception {
        List<String> hashes = new java.util.concurrent.CopyOnWriteArrayList<>();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String hash = exchange.getRequestHeaders().getFirst("x-amz-content-sha256");
            hashes.add(hash);
            if ("UNSIGNED-PAYLOAD".equals(hash)) {
                byte[] body = ("<?xml version=\"1.0\"?><Error><Code>NotImplemented</Code><Message>A header you"
                        + " provided implies functionality that is not implemented</Message></Error>")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(501, body.length);
                exchange.getResponseBody().write(body);
            } else {
                exchange.getResponseHeaders().add("ETag", "\"etag\"");
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        server.start();
        SignedPut put = new SignedPut(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "us-east-1",
                KEYS, ApacheHttpClient.create(), AwsRetryStrategy.standardRetryStrategy());

        assertThat(put.put("b", "k1", new byte[] {1}, "AAAA", Map.of(), null)).isEqualTo("\"etag\"");
        assertThat(put.put("b", "k2", new byte[] {2}, "AAAA", Map.of(), null)).isEqualTo("\"etag\"");

        assertThat(hashes).hasSize(3).first().isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(hashes.subList(1, 3)).allSatisfy(hash -> assertThat(hash).matches("[0-9a-f]{64}"));
    }

    @Test
    void signsThePayloadOverHttpWhereTheHostHeaderWouldReadDifferentlyUnderHttps() {
        for (String endpoint : List.of("http://gw.example", "http://gw.example:80", "http://gw.example:443")) {
            SignedPut put = new SignedPut(URI.create(endpoint), "us-east-1", KEYS, ApacheHttpClient.create(),
                    AwsRetryStrategy.standardRetryStrategy());
            assertThat(SignedPut.unsignedPayloadAllowed(put.request("b", "k", 0, "m", Map.of(), null)))
                    .as(endpoint).isFalse();
        }
        for (String endpoint : List.of("https://gw.example", "http://gw.example:9000", "https://gw.example:8443")) {
            SignedPut put = new SignedPut(URI.create(endpoint), "us-east-1", KEYS, ApacheHttpClient.create(),
                    AwsRetryStrategy.standardRetryStrategy());
            assertThat(SignedPut.unsignedPayloadAllowed(put.request("b", "k", 0, "m", Map.of(), null)))
                    .as(endpoint).isTrue();
        }
    }

    @Test
    void throttlingIsRetriedByTheStandardStrategyUntilTheStoreTakesThePut() throws Exception {
        AtomicInteger requests = answering(2, 503, "SlowDown");

        String eTag = put(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .backoffStrategy(BackoffStrategy.retryImmediately())
                .throttlingBackoffStrategy(BackoffStrategy.retryImmediately()).build());

        assertThat(eTag).isEqualTo("\"etag\"");
        assertThat(requests).hasValue(3);
    }

    @Test
    void aServerErrorThatPersistsFailsAfterTheStrategysAttemptsWithTheStoresCode() throws Exception {
        AtomicInteger requests = answering(Integer.MAX_VALUE, 500, "InternalError");

        S3Exception failure = catchThrowableOfType(() -> put(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(2).backoffStrategy(BackoffStrategy.retryImmediately()).build()), S3Exception.class);

        assertThat(requests).hasValue(2);
        assertThat(failure.statusCode()).isEqualTo(500);
        assertThat(failure.awsErrorDetails().errorCode()).isEqualTo("InternalError");
        assertThat(S3Errors.classify(failure)).isEqualTo(S3Errors.ErrorClass.SERVER_ERROR);
    }

    @Test
    void anErrorAboutTheRequestIsNotRetried() throws Exception {
        AtomicInteger requests = answering(Integer.MAX_VALUE, 403, "AccessDenied");

        S3Exception failure = catchThrowableOfType(() -> put(AwsRetryStrategy.standardRetryStrategy()),
                S3Exception.class);

        assertThat(requests).hasValue(1);
        assertThat(S3Errors.classify(failure)).isEqualTo(S3Errors.ErrorClass.ACCESS_DENIED);
    }

    /** A stand-in store: the first {@code failures} PUTs get {@code status} with an S3 error body, then 200. */
    private AtomicInteger answering(int failures, int status, String code) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (requests.incrementAndGet() <= failures) {
                byte[] body = ("<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>no</Message>"
                        + "<RequestId>r1</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            } else {
                exchange.getResponseHeaders().add("ETag", "\"etag\"");
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        server.start();
        return requests;
    }

    private String put(software.amazon.awssdk.retries.api.RetryStrategy retries) {
        SignedPut put = new SignedPut(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "us-east-1",
                KEYS, ApacheHttpClient.create(), retries);
        return put.put("b", "k", new byte[] {1, 2, 3}, "AAAA", Map.of(), null);
    }
}
