package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** How a signed PUT is built and retried; the store is a stand-in that answers what a test needs. */
class SignedPutTest {
    private static final StaticCredentialsProvider KEYS = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
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
        Map<String, String> seen = new ConcurrentHashMap<>();
        store(headers -> {
            seen.put("sha256", headers.getFirst("x-amz-content-sha256"));
            seen.put("authorization", headers.getFirst("Authorization"));
            return Answer.OK;
        });

        put(AwsRetryStrategy.standardRetryStrategy());

        assertThat(seen.get("sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(seen.get("authorization")).containsPattern("SignedHeaders=[^,]*content-md5");
    }

    @Test
    void signsThePayloadFromTheFirstRefusalOnWhenTheStoreDoesNotTakeItUnsigned() throws Exception {
        List<String> hashes = new CopyOnWriteArrayList<>();
        store(headers -> {
            hashes.add(headers.getFirst("x-amz-content-sha256"));
            return "UNSIGNED-PAYLOAD".equals(headers.getFirst("x-amz-content-sha256"))
                    ? new Answer(501, "NotImplemented") : Answer.OK;
        });
        SignedPut put = signedPut(AwsRetryStrategy.standardRetryStrategy());

        assertThat(put.put("b", "k1", new byte[] {1}, "AAAA", Map.of(), null)).isEqualTo("\"etag\"");
        assertThat(put.put("b", "k2", new byte[] {2}, "AAAA", Map.of(), null)).isEqualTo("\"etag\"");

        assertThat(hashes).hasSize(3).first().isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(hashes.subList(1, 3)).allSatisfy(hash -> assertThat(hash).matches("[0-9a-f]{64}"));
    }

    @Test
    void signsThePayloadOverHttpWhereTheHostHeaderWouldReadDifferentlyUnderHttps() {
        assertThat(List.of("http://gw.example", "http://gw.example:80", "http://gw.example:443"))
                .allSatisfy(endpoint -> assertThat(unsignedPayloadAllowed(endpoint)).as(endpoint).isFalse());
        assertThat(List.of("https://gw.example", "http://gw.example:9000", "https://gw.example:8443"))
                .allSatisfy(endpoint -> assertThat(unsignedPayloadAllowed(endpoint)).as(endpoint).isTrue());
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
        store(headers -> requests.incrementAndGet() <= failures ? new Answer(status, code) : Answer.OK);
        return requests;
    }

    /** What the stand-in store answers a PUT: 200 with an ETag, or {@code status} with an S3 error body. */
    private record Answer(int status, String code) {
        static final Answer OK = new Answer(200, null);
    }

    /** A stand-in store that reads each PUT's body and answers what {@code answers} says for its headers. */
    private void store(Function<Headers, Answer> answers) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            Answer answer = answers.apply(exchange.getRequestHeaders());
            if (answer.code() == null) {
                exchange.getResponseHeaders().add("ETag", "\"etag\"");
                exchange.sendResponseHeaders(answer.status(), -1);
            } else {
                byte[] body = ("<?xml version=\"1.0\"?><Error><Code>" + answer.code() + "</Code><Message>no</Message>"
                        + "<RequestId>r1</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(answer.status(), body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    private SignedPut signedPut(software.amazon.awssdk.retries.api.RetryStrategy retries) {
        return new SignedPut(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "us-east-1",
                KEYS, ApacheHttpClient.create(), retries);
    }

    private String put(software.amazon.awssdk.retries.api.RetryStrategy retries) {
        return signedPut(retries).put("b", "k", new byte[] {1, 2, 3}, "AAAA", Map.of(), null);
    }

    private static boolean unsignedPayloadAllowed(String endpoint) {
        SignedPut put = new SignedPut(URI.create(endpoint), "us-east-1", KEYS, ApacheHttpClient.create(),
                AwsRetryStrategy.standardRetryStrategy());
        return SignedPut.unsignedPayloadAllowed(put.request("b", "k", 0, "m", Map.of(), null));
    }
}
