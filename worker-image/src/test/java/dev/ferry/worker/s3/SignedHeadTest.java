package dev.ferry.worker.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** How a signed HEAD is sent, read and retried; the store is a stand-in that answers what a test needs. */
class SignedHeadTest {
    private static final StaticCredentialsProvider KEYS = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
    private static final RetryStrategy IMMEDIATE = AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .backoffStrategy(BackoffStrategy.retryImmediately())
            .throttlingBackoffStrategy(BackoffStrategy.retryImmediately()).build();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void readsLengthETagAndUserMetadataAsTheClientUnmarshalsThem() {
        HeadObjectResponse head = SignedHead.headOf(SdkHttpResponse.builder().statusCode(200)
                .putHeader("Content-Length", "42")
                .putHeader("ETag", "\"0123abcd\"")
                .putHeader("Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT")
                .putHeader("X-Amz-Meta-Mtime", "1700000000.5")
                .putHeader("x-amz-meta-md5chksum", "AAAA")
                .putHeader("x-amz-meta-tags", List.of("a", "b"))
                .putHeader("x-amz-server-side-encryption", "aws:kms")
                .putHeader("x-amz-request-id", "r-1")
                .build());

        assertThat(head.contentLength()).isEqualTo(42);
        assertThat(head.eTag()).isEqualTo("\"0123abcd\"");
        assertThat(head.lastModified()).isEqualTo(Instant.parse("2023-11-14T22:13:20Z"));
        assertThat(head.metadata()).isEqualTo(Map.of("Mtime", "1700000000.5", "md5chksum", "AAAA", "tags", "a,b"));
        assertThat(head.serverSideEncryptionAsString()).isEqualTo("aws:kms");
    }

    @Test
    void anUnreadableTimeIsLeftOutRatherThanFailingTheHead() {
        HeadObjectResponse head = SignedHead.headOf(SdkHttpResponse.builder().statusCode(200)
                .putHeader("Content-Length", "1").putHeader("Last-Modified", "yesterday").build());

        assertThat(head.lastModified()).isNull();
        assertThat(head.contentLength()).isEqualTo(1);
    }

    @Test
    void sendsAPathStyleSignedHeadAndRetriesThrottlingUntilTheStoreAnswers() {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger requests = serve(exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization").startsWith("AWS4-HMAC-SHA256"));
            return seen.size() <= 2 ? 503 : 200;
        });

        HeadObjectResponse head = head("a dir/ü+x.txt");

        assertThat(requests).hasValue(3);
        assertThat(seen).containsOnly("HEAD /base/bucket/a%20dir/%C3%BC%2Bx.txt true");
        assertThat(head.contentLength()).isEqualTo(7);
        assertThat(head.metadata()).containsEntry("mtime", "1.5");
    }

    @Test
    void aMissingObjectIsNoSuchKeyAtOnceAndARefusalIsTheStatusWithoutACode() {
        AtomicInteger requests = serve(exchange -> 404);
        NoSuchKeyException missing = catchThrowableOfType(() -> head("k"), NoSuchKeyException.class);
        assertThat(requests).hasValue(1);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("NoSuchKey");
        stop();

        serve(exchange -> 403);
        S3Exception refused = catchThrowableOfType(() -> head("k"), S3Exception.class);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.awsErrorDetails().errorCode()).isNull();
        assertThat(S3Errors.classify(refused)).isEqualTo(S3Errors.ErrorClass.ACCESS_DENIED);
        assertThat(S3Errors.describe(refused)).contains("403");
    }

    private interface Status {
        int of(com.sun.net.httpserver.HttpExchange exchange);
    }

    /** A stand-in store answering every HEAD with the status {@code status} gives and an object's headers. */
    private AtomicInteger serve(Status status) {
        AtomicInteger requests = new AtomicInteger();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            int answer = status.of(exchange);
            if (answer == 200) {
                exchange.getResponseHeaders().add("Content-Length", "7");
                exchange.getResponseHeaders().add("ETag", "\"e\"");
                exchange.getResponseHeaders().add("x-amz-meta-mtime", "1.5");
            }
            exchange.getResponseHeaders().add("x-amz-request-id", "r-" + requests.get());
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
        return requests;
    }

    private HeadObjectResponse head(String key) {
        return new SignedHead(new SignedExchange(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/base/"),
                "us-east-1", KEYS, ApacheHttpClient.create(), IMMEDIATE)).head("bucket", key);
    }
}
