package dev.ferry.worker.s3;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.LongConsumer;
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
 * One PutObject (or UploadPart) of bytes in memory, signed with the SDK's SigV4 signer and sent with the SDK's HTTP
 * client, outside the SDK's request pipeline. Small files are most of a migration and one PUT each:
 * measured on this project's benchmark machine, {@code S3Client.putObject} spent about 60% of its CPU
 * in the pipeline around the request (interceptors, marshalling, endpoint rules, execution context),
 * not in signing or HTTP; this path sends the same request for about 145 µs of CPU instead of 420.
 *
 * <p>The request is the one the client would send (path-style, Content-MD5, the same metadata headers),
 * except that its payload is not signed (its Content-MD5 is: see where the request is signed); failures surface as the client's
 * would, an {@link S3Exception} with status and error code or an {@link SdkClientException} around
 * the I/O error, so {@link S3Errors} and the {@link EndpointPool} treat them alike; and they are
 * retried by the same standard retry strategy the client is configured with. The parts of a multipart
 * upload go the same way ({@link #putPart}): over http the client signs every payload, a SHA-256 pass
 * over every byte of a large file here and another in the store. Everything else stays
 * with the client: every other request, and PUTs to AWS itself or with virtual-hosted addressing,
 * whose endpoint rules (regions, FIPS, dual-stack, bucket names with dots) are the SDK's to get right.
 */
public final class SignedPut {
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
    /** Set once the store refused an unsigned payload: from then on every payload is signed. */
    private volatile boolean storeWantsSignedPayloads;

    /** A path-style PUT to {@code endpoint}, signed for {@code region}. */
    public SignedPut(URI endpoint, String region, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                     SdkHttpClient http, RetryStrategy retries) {
        this.endpoint = endpoint;
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.region = region;
        this.credentials = credentials;
        this.http = http;
        this.retries = retries;
    }

    /**
     * Stores {@code data} at {@code key} and returns the ETag the store answered.
     *
     * @param md5Base64    Content-MD5 of {@code data}, checked by the store
     * @param metadata     user metadata, without the {@code x-amz-meta-} prefix; values printable ASCII
     * @param storageClass null: the bucket's default
     */
    public String put(String bucket, String key, byte[] data, String md5Base64, Map<String, String> metadata,
                      String storageClass) {
        return execute(request(bucket, key, data.length, md5Base64, metadata, storageClass), data, null);
    }

    /**
     * Stores {@code data} as part {@code partNumber} of the multipart upload {@code uploadId} and returns
     * the part's ETag: the same request as the client's UploadPart, its payload unsigned as a PUT's is.
     *
     * @param sent told how many bytes the HTTP client took from the body, as it takes them (a slow
     *             send of a large part still shows progress)
     */
    public String putPart(String bucket, String key, String uploadId, int partNumber, byte[] data, String md5Base64,
                          LongConsumer sent) {
        SdkHttpFullRequest request = base(bucket, key, data.length, md5Base64)
                .putRawQueryParameter("partNumber", Integer.toString(partNumber))
                .putRawQueryParameter("uploadId", uploadId)
                .build();
        return execute(request, data, sent);
    }

    /** The request sent as the store takes it, retried by the client's strategy. */
    private String execute(SdkHttpFullRequest request, byte[] data, LongConsumer sent) {
        RetryToken token = retries.acquireInitialToken(AcquireInitialTokenRequest.create("s3")).token();
        while (true) {
            try {
                String eTag = sendAsTheStoreTakesIt(request, data, sent);
                retries.recordSuccess(RecordSuccessRequest.create(token));
                return eTag;
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

    /** The unsigned request: the method, path and headers the client would build for this PutObject. */
    SdkHttpFullRequest request(String bucket, String key, long length, String md5Base64,
                               Map<String, String> metadata, String storageClass) {
        SdkHttpFullRequest.Builder builder = base(bucket, key, length, md5Base64);
        if (storageClass != null && !storageClass.isBlank()) {
            builder.putHeader("x-amz-storage-class", storageClass);
        }
        metadata.forEach((name, value) -> builder.putHeader("x-amz-meta-" + name, value));
        return builder.build();
    }

    /** A PUT of {@code length} bytes to {@code key}, path-style, with its Content-MD5. */
    private SdkHttpFullRequest.Builder base(String bucket, String key, long length, String md5Base64) {
        String encodedKey = SdkHttpUtils.urlEncodeIgnoreSlashes(key);
        return SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.PUT)
                .protocol(endpoint.getScheme())
                .host(endpoint.getHost())
                .port(endpoint.getPort() < 0 ? null : endpoint.getPort())
                .encodedPath(basePath + "/" + SdkHttpUtils.urlEncode(bucket) + "/" + encodedKey)
                .putHeader("Content-Length", Long.toString(length))
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("Content-MD5", md5Base64)
                .putHeader("User-Agent", "ferry-worker");
    }

    /**
     * Unsigned where allowed; a store that refuses that (one older than UNSIGNED-PAYLOAD, or that wants
     * the payload's hash over http) gets the same PUT signed at once, and every later one.
     */
    private String sendAsTheStoreTakesIt(SdkHttpFullRequest request, byte[] data, LongConsumer sent) {
        boolean unsigned = !storeWantsSignedPayloads && unsignedPayloadAllowed(request);
        if (!unsigned) {
            return send(request, data, false, sent);
        }
        try {
            return send(request, data, true, sent);
        } catch (S3Exception refused) {
            if (!refusesUnsignedPayloads(refused)) {
                throw refused;
            }
            storeWantsSignedPayloads = true;
            return send(request, data, false, sent);
        }
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

    /** The answers of stores that do not take UNSIGNED-PAYLOAD: not the store's answer about the object. */
    static boolean refusesUnsignedPayloads(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return (e.statusCode() == 400 || e.statusCode() == 403 || e.statusCode() == 501) && code != null
                && (code.equals("NotImplemented") || code.equals("InvalidRequest") || code.equals("InvalidArgument")
                        || code.equals("XAmzContentSHA256Mismatch") || code.equals("SignatureDoesNotMatch")
                        || code.equals("MissingSecurityHeader"));
    }

    private String send(SdkHttpFullRequest request, byte[] data, boolean unsignedPayload, LongConsumer sent) {
        ContentStreamProvider payload = ContentStreamProvider.fromByteArrayUnsafe(data);
        // The SDK's signer signs every payload sent over plain http. A signature does not cover the scheme,
        // so where the Host header reads the same under https (an explicit port that is default for
        // neither scheme), the request is signed as https and sent as it is.
        SdkHttpFullRequest toSign = unsignedPayload && !"https".equals(request.protocol())
                ? request.toBuilder().protocol("https").build() : request;
        AwsCredentialsIdentity identity = identity();
        SignedRequest signed = signer.sign(r -> r.identity(identity).request(toSign).payload(payload)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                // S3's rules, as the client applies them: the key is encoded once and never normalized
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                // UNSIGNED-PAYLOAD: the signature covers Content-MD5, which the store checks against the
                // body, so the body cannot change on the way unnoticed; what is saved is a SHA-256 pass
                // over every byte here and another in the store, which verifies a signed payload's hash.
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, !unsignedPayload));
        SdkHttpRequest wire = toSign == request ? signed.request()
                : signed.request().toBuilder().protocol(request.protocol()).build();
        HttpExecuteResponse response;
        try {
            response = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(wire)
                    .contentStreamProvider(sent == null ? signed.payload().orElse(payload) : counted(data, sent))
                    .build()).call();
        } catch (IOException e) {
            throw SdkClientException.builder().message("Unable to execute HTTP request: " + e.getMessage())
                    .cause(e).build();
        }
        SdkHttpResponse answer = response.httpResponse();
        byte[] body = readBody(response);
        if (answer.isSuccessful()) {
            return answer.firstMatchingHeader("ETag").orElseThrow(() -> SdkClientException.create(
                    "the store answered PUT " + request.encodedPath() + " with " + answer.statusCode()
                            + " and no ETag"));
        }
        throw failure(answer, body);
    }

    /** The body as the HTTP client reads it, each read told to {@code sent}. */
    static ContentStreamProvider counted(byte[] data, LongConsumer sent) {
        return () -> new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    sent.accept(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    sent.accept(n);
                }
                return n;
            }
        };
    }

    /** https, or http on an explicit port that is the default of neither scheme (the Host header is the same). */
    static boolean unsignedPayloadAllowed(SdkHttpFullRequest request) {
        if ("https".equals(request.protocol())) {
            return true;
        }
        int port = request.port();
        return port > 0 && port != 80 && port != 443;
    }

    private static byte[] readBody(HttpExecuteResponse response) {
        if (response.responseBody().isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = response.responseBody().get()) {
            byte[] head = in.readNBytes(MAX_ERROR_BODY);
            in.transferTo(OutputStream.nullOutputStream()); // drained, so the connection is reused
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
