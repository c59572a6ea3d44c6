package dev.ferry.worker.s3;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.function.LongConsumer;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.model.S3Exception;

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
 * over every byte of a large file here and another in the store. So do the HEADs before them ({@link SignedHead}).
 * Everything else stays with the client: every other request, and PUTs to AWS itself or with virtual-hosted addressing,
 * whose endpoint rules (regions, FIPS, dual-stack, bucket names with dots) are the SDK's to get right.
 */
public final class SignedPut {
    private final SignedExchange exchange;
    /** Set once the store refused an unsigned payload: from then on every payload is signed. */
    private volatile boolean storeWantsSignedPayloads;

    /** A path-style PUT to {@code endpoint}, signed for {@code region}. */
    public SignedPut(URI endpoint, String region, IdentityProvider<? extends AwsCredentialsIdentity> credentials,
                     SdkHttpClient http, RetryStrategy retries) {
        this(new SignedExchange(endpoint, region, credentials, http, retries));
    }

    SignedPut(SignedExchange exchange) {
        this.exchange = exchange;
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
        SdkHttpFullRequest request = request(bucket, key, data.length, md5Base64, metadata, storageClass);
        return exchange.retried(() -> sendAsTheStoreTakesIt(request, data, null));
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
        return exchange.retried(() -> sendAsTheStoreTakesIt(request, data, sent));
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
        return exchange.toObject(SdkHttpMethod.PUT, bucket, key)
                .putHeader("Content-Length", Long.toString(length))
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("Content-MD5", md5Base64);
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
        // UNSIGNED-PAYLOAD: the signature covers Content-MD5, which the store checks against the body, so the body
        // cannot change on the way unnoticed; what is saved is a SHA-256 pass over every byte here and another in
        // the store, which verifies a signed payload's hash.
        SignedRequest signed = exchange.sign(toSign, payload, !unsignedPayload);
        SdkHttpRequest wire = toSign == request ? signed.request()
                : signed.request().toBuilder().protocol(request.protocol()).build();
        HttpExecuteResponse response = exchange.send(wire,
                sent == null ? signed.payload().orElse(payload) : counted(data, sent));
        SdkHttpResponse answer = response.httpResponse();
        byte[] body = SignedExchange.readBody(response);
        if (answer.isSuccessful()) {
            return answer.firstMatchingHeader("ETag").orElseThrow(() -> SdkClientException.create(
                    "the store answered PUT " + request.encodedPath() + " with " + answer.statusCode()
                            + " and no ETag"));
        }
        throw SignedExchange.failure(answer, body);
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
}
