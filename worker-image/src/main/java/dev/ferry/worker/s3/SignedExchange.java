package dev.ferry.worker.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * What the requests Ferry signs itself ({@link SignedPut}, {@link SignedHead}, {@link SignedList}) share: a path-style request to an
 * object of one endpoint, signed with the SDK's SigV4 signer and the credentials as the client's signer gets them,
 * sent with the client's HTTP client, retried by the client's retry strategy, and a failure surfaced as the
 * client's would be (an {@link S3Exception} with status and error code, an {@link SdkClientException} around an
 * I/O error), so that {@link S3Errors} and the {@link EndpointPool} treat both paths alike.
 */
final class SignedExchange {
    /** S3 error bodies are a few hundred bytes; read no more than this of one. */
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");
    private static final Pattern REQUEST_ID = Pattern.compile("<RequestId>([^<]*)</RequestId>");

    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final URI endpoint;
    private final String basePath;
    private final String region;
    /** Resolved per request: a provider of expiring credentials (a web identity, a role) renews them itself. */
    private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;
    private final SdkHttpClient http;
    private final RetryStrategy retries;

    SignedExchange(URI endpoint, String region, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                   SdkHttpClient http, RetryStrategy retries) {
        this.endpoint = endpoint;
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.region = region;
        this.credentials = credentials;
        this.http = http;
        this.retries = retries;
    }

    /** A request to {@code key} of {@code bucket}, path-style, as the client addresses it. */
    SdkHttpFullRequest.Builder toObject(SdkHttpMethod method, String bucket, String key) {
        return toPath(method, basePath + "/" + SdkHttpUtils.urlEncode(bucket) + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
    }

    /** A request to {@code bucket} itself (a listing), path-style. */
    SdkHttpFullRequest.Builder toBucket(SdkHttpMethod method, String bucket) {
        return toPath(method, basePath + "/" + SdkHttpUtils.urlEncode(bucket));
    }

    private SdkHttpFullRequest.Builder toPath(SdkHttpMethod method, String encodedPath) {
        return SdkHttpFullRequest.builder()
                .method(method)
                .protocol(endpoint.getScheme())
                .host(endpoint.getHost())
                .port(endpoint.getPort() < 0 ? null : endpoint.getPort())
                .encodedPath(encodedPath)
                .putHeader("User-Agent", "ferry-worker");
    }

    /** {@code attempt} until it succeeds or the client's retry strategy gives up on its failures. */
    <T> T retried(Supplier<T> attempt) {
        RetryToken token = retries.acquireInitialToken(AcquireInitialTokenRequest.create("s3")).token();
        while (true) {
            try {
                T result = attempt.get();
                retries.recordSuccess(RecordSuccessRequest.create(token));
                return result;
            } catch (SdkException failure) {
                Duration delay;
                try {
                    RefreshRetryTokenResponse refreshed = retries.refreshRetryToken(RefreshRetryTokenRequest.builder()
                            .token(token).failure(failure).build());
                    token = refreshed.token();
                    delay = refreshed.delay();
                } catch (TokenAcquisitionFailedException noMoreAttempts) {
                    throw failure;
                }
                sleep(delay, failure);
            }
        }
    }

    /**
     * {@code request} signed for S3 as the client signs it (the key encoded once, the path never normalized), its
     * payload's hash signed or {@code UNSIGNED-PAYLOAD}.
     */
    SignedRequest sign(SdkHttpFullRequest request, ContentStreamProvider payload, boolean payloadSigned) {
        AwsCredentialsIdentity identity = identity();
        return signer.sign(r -> r.identity(identity).request(request).payload(payload)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, payloadSigned));
    }

    /** Sends {@code request} with {@code body} (null: none); an I/O failure is the client's {@link SdkClientException}. */
    HttpExecuteResponse send(SdkHttpRequest request, ContentStreamProvider body) {
        try {
            return http.prepareRequest(HttpExecuteRequest.builder()
                    .request(request)
                    .contentStreamProvider(body)
                    .build()).call();
        } catch (IOException e) {
            throw SdkClientException.builder().message("Unable to execute HTTP request: " + e.getMessage())
                    .cause(e).build();
        }
    }

    /** {@code request}, which has no body, signed (the empty payload's hash with it) and sent. */
    HttpExecuteResponse signAndSend(SdkHttpFullRequest request) {
        return send(sign(request, ContentStreamProvider.fromByteArrayUnsafe(new byte[0]), true).request(), null);
    }

    /**
     * The credentials to sign with now, as the client's signer gets them: a provider that cannot give any fails
     * the request as the SDK's client does, with the {@link SdkClientException} that says why.
     */
    private AwsCredentialsIdentity identity() {
        try {
            return credentials.resolveIdentity().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof SdkException sdk) {
                throw sdk;
            }
            throw SdkClientException.builder().message("Unable to load credentials: " + e.getCause()).cause(e.getCause())
                    .build();
        }
    }

    /** The answer's body (at most {@link #MAX_ERROR_BODY} of it), the rest drained so the connection is reused. */
    static byte[] readBody(HttpExecuteResponse response) {
        if (response.responseBody().isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = response.responseBody().get()) {
            byte[] head = in.readNBytes(MAX_ERROR_BODY);
            in.transferTo(OutputStream.nullOutputStream());
            return head;
        } catch (IOException e) {
            throw SdkClientException.builder().message("Unable to read the answer: " + e.getMessage()).cause(e).build();
        }
    }

    /** The client's exception for an error answer: status, S3 error code and message, request id. */
    static S3Exception failure(SdkHttpResponse answer, byte[] body) {
        String xml = new String(body, StandardCharsets.UTF_8);
        String code = first(CODE, xml);
        String message = first(MESSAGE, xml);
        if (code == null) {
            // an answer without an S3 error body (e.g. a proxy's 503): the client names it by status
            code = answer.statusText().orElse(Integer.toString(answer.statusCode())).replace(" ", "");
        }
        String requestId = first(REQUEST_ID, xml);
        if (requestId == null) {
            requestId = answer.firstMatchingHeader("x-amz-request-id").orElse(null);
        }
        return (S3Exception) S3Exception.builder()
                .statusCode(answer.statusCode())
                .requestId(requestId)
                .message((message != null ? message : code) + " (Service: S3, Status Code: " + answer.statusCode()
                        + (requestId != null ? ", Request ID: " + requestId : "") + ")")
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(message)
                        .serviceName("S3")
                        .sdkHttpResponse(answer)
                        .build())
                .build();
    }

    private static String first(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static void sleep(Duration delay, SdkException failure) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SdkClientException.builder().message("interrupted before a retry").cause(failure).build();
        }
    }
}
