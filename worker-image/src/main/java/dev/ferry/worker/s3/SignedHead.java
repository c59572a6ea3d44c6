package dev.ferry.worker.s3;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.DateUtils;

/**
 * One HeadObject, signed and sent as {@link SignedPut} sends a PUT, outside the SDK's request pipeline. A run over
 * a destination that already holds the files (a Sync, a migration run again to catch up) sends a HEAD for every
 * file whose key the listing shows (its mtime, ctime and MD5 are in its metadata, which no listing carries); through
 * {@code S3Client.headObject} that was nine tenths of the worker's file threads on 50,000 unchanged small files, half
 * of it the pipeline around the request (interceptors, endpoint and auth-scheme rules, marshalling) rather than
 * signing or HTTP.
 *
 * <p>The answer is the client's {@link HeadObjectResponse} with what the worker reads of it: length, ETag, last
 * modification, content type, storage class, version, encryption and the user metadata (names as the store sends
 * them without {@code x-amz-meta-}, repeated values joined by a comma, as the client unmarshals them). A missing
 * object is the client's {@link NoSuchKeyException} (404, {@code NoSuchKey}: a HEAD has no error body, so a missing
 * bucket reads the same, as it does for the client); any other failure the client's {@link S3Exception} without an
 * error code.
 */
public final class SignedHead {
    private static final String USER_METADATA = "x-amz-meta-";
    private final SignedExchange exchange;

    /** HEADs signed and sent as {@code exchange} signs and sends (one gateway's endpoint, credentials and client). */
    SignedHead(SignedExchange exchange) {
        this.exchange = exchange;
    }

    /** The object at {@code key}, as a HEAD sees it. */
    public HeadObjectResponse head(String bucket, String key) {
        SdkHttpFullRequest request = exchange.toObject(SdkHttpMethod.HEAD, bucket, key).build();
        return exchange.retried(() -> send(request));
    }

    private HeadObjectResponse send(SdkHttpFullRequest request) {
        HttpExecuteResponse response = exchange.signAndSend(request);
        SdkHttpResponse answer = response.httpResponse();
        SignedExchange.readBody(response); // none is expected; drained so the connection is reused
        if (answer.isSuccessful()) {
            return headOf(answer);
        }
        throw failure(answer);
    }

    /**
     * The client's exception for a HEAD's error answer, which has no body to name the error: no error code (a
     * bodiless 503 is then throttling to {@link S3Errors}, as for the client), but {@code NoSuchKey} for a 404.
     */
    static S3Exception failure(SdkHttpResponse answer) {
        String requestId = answer.firstMatchingHeader("x-amz-request-id").orElse(null);
        boolean missing = answer.statusCode() == 404;
        AwsErrorDetails details = AwsErrorDetails.builder()
                .errorCode(missing ? "NoSuchKey" : null)
                .errorMessage(missing ? "The specified key does not exist." : null)
                .serviceName("S3")
                .sdkHttpResponse(answer)
                .build();
        S3Exception.Builder failure = missing ? NoSuchKeyException.builder() : S3Exception.builder();
        return (S3Exception) failure.statusCode(answer.statusCode())
                .requestId(requestId)
                .message(answer.statusText().orElse("HEAD failed") + " (Service: S3, Status Code: " + answer.statusCode()
                        + (requestId != null ? ", Request ID: " + requestId : "") + ")")
                .awsErrorDetails(details)
                .build();
    }

    /** The client's response to a successful HEAD, from its headers. */
    static HeadObjectResponse headOf(SdkHttpResponse answer) {
        Map<String, String> metadata = new HashMap<>();
        answer.forEachHeader((name, values) -> {
            if (name.regionMatches(true, 0, USER_METADATA, 0, USER_METADATA.length())) {
                metadata.put(name.substring(USER_METADATA.length()), String.join(",", values));
            }
        });
        HeadObjectResponse.Builder head = HeadObjectResponse.builder().metadata(metadata);
        answer.firstMatchingHeader("Content-Length").ifPresent(length -> head.contentLength(Long.parseLong(length.trim())));
        answer.firstMatchingHeader("ETag").ifPresent(head::eTag);
        answer.firstMatchingHeader("Last-Modified").map(SignedHead::timeOrNull).ifPresent(head::lastModified);
        answer.firstMatchingHeader("Content-Type").ifPresent(head::contentType);
        answer.firstMatchingHeader("x-amz-storage-class").ifPresent(head::storageClass);
        answer.firstMatchingHeader("x-amz-version-id").ifPresent(head::versionId);
        answer.firstMatchingHeader("x-amz-server-side-encryption").ifPresent(head::serverSideEncryption);
        answer.firstMatchingHeader("x-amz-server-side-encryption-customer-algorithm")
                .ifPresent(head::sseCustomerAlgorithm);
        answer.firstMatchingHeader("x-amz-server-side-encryption-aws-kms-key-id").ifPresent(head::ssekmsKeyId);
        return head.build();
    }

    /** An HTTP date; null when it is not one (the client would fail the HEAD; nothing here reads the time). */
    private static Instant timeOrNull(String httpDate) {
        try {
            return DateUtils.parseRfc822Date(httpDate);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
