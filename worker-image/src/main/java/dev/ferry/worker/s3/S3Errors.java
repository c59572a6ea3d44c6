package dev.ferry.worker.s3;

import dev.ferry.api.FailureCode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Set;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The error table of {@code docs/errors.md}: classifies every failure a copy can meet into a row,
 * which names the {@link FailureCode} it is reported under (the code says whether it is retried) and
 * whether it counts against one gateway.
 * <ul>
 *   <li>{@link Scope#TASK}: the store failed or refuses us as a whole. Retryable: the task goes back
 *       to Pending with a backoff (bounded by {@code spec.tasks.maxAttempts}), keeping its checkpoint.</li>
 *   <li>{@link Scope#FILE}: this one file cannot be copied. Permanent for the file: recorded in the
 *       task's failures, and the task goes on with the next file.</li>
 * </ul>
 * Only failures of a gateway itself (no connection, 5xx, throttling) open its circuit in the
 * {@link EndpointPool}: a refusal of the request (403, 404, 400) would be the same on every gateway of
 * the store, so switching gateways cannot help.
 */
public final class S3Errors {

    /** What the worker does about an error. */
    public enum Scope {
        /** Retry the whole task later (Pending with backoff). */
        TASK,
        /** Fail this one file (permanent) and go on. */
        FILE
    }

    /** One row of the table, in the order of docs/errors.md. */
    public enum ErrorClass {
        // S3 answers
        NO_SUCH_BUCKET(FailureCode.S3_NO_SUCH_BUCKET, false),
        ACCESS_DENIED(FailureCode.S3_ACCESS_DENIED, false),
        INVALID_ACCESS_KEY(FailureCode.S3_AUTH_FAILED, false),
        SIGNATURE_MISMATCH(FailureCode.S3_AUTH_FAILED, false),
        THROTTLED_503(FailureCode.S3_THROTTLED, true),
        THROTTLED_429(FailureCode.S3_THROTTLED, true),
        SERVER_ERROR(FailureCode.S3_SERVER_ERROR, true),
        QUOTA_EXCEEDED(FailureCode.S3_QUOTA_EXCEEDED, false),
        ENTITY_TOO_LARGE(FailureCode.OBJECT_TOO_LARGE, false),
        UPLOAD_LOST(FailureCode.MULTIPART_UPLOAD_LOST, false),
        REQUEST_TIMEOUT(FailureCode.S3_REQUEST_TIMEOUT, true),
        BAD_DIGEST(FailureCode.CHECKSUM_MISMATCH, false),
        REJECTED(FailureCode.S3_REJECTED, false),
        VERIFY_MISMATCH(FailureCode.VERIFY_MISMATCH, false),
        PARTS_INCOMPLETE(FailureCode.PARTS_INCOMPLETE, false),
        SOURCE_NOT_DELETED(FailureCode.SOURCE_NOT_DELETED, false),
        // network
        CONNECTION_FAILED(FailureCode.S3_UNREACHABLE, true),
        NETWORK_TIMEOUT(FailureCode.S3_TIMEOUT, true),
        DNS_FAILURE(FailureCode.S3_UNREACHABLE, true),
        CLIENT_ERROR(FailureCode.S3_CLIENT_ERROR, false),
        // the source filesystem
        SOURCE_ACCESS_DENIED(FailureCode.ACCESS_DENIED, false),
        SOURCE_VANISHED(FailureCode.SOURCE_VANISHED, false),
        SOURCE_READ_ERROR(FailureCode.SOURCE_READ_ERROR, false),
        SOURCE_CHANGED(FailureCode.SOURCE_CHANGED, false),
        NOT_A_REGULAR_FILE(FailureCode.NOT_A_REGULAR_FILE, false),
        NAME_NOT_ENCODABLE(FailureCode.NAME_NOT_ENCODABLE, false),
        KEY_TOO_LONG(FailureCode.KEY_TOO_LONG, false);

        private final FailureCode code;
        private final boolean opensCircuit;

        ErrorClass(FailureCode code, boolean opensCircuit) {
            this.code = code;
            this.opensCircuit = opensCircuit;
        }

        /** The Ferry code: a file failure's {@code code}, or the prefix of a task's message. */
        public FailureCode code() {
            return code;
        }

        public Scope scope() {
            return code.retryable() ? Scope.TASK : Scope.FILE;
        }

        public boolean retryable() {
            return code.retryable();
        }

        /** True when the error is the gateway's own, so the request goes to another gateway. */
        public boolean opensCircuit() {
            return opensCircuit;
        }
    }

    /** Quota codes of the stores we know (Ceph RGW and Scality say QuotaExceeded, MinIO its own). */
    private static final Set<String> QUOTA_CODES = Set.of("QuotaExceeded", "XMinioAdminBucketQuotaExceeded");

    private S3Errors() {
    }

    /** The row of any failure of a copy: an SDK exception, a filesystem exception, or anything else. */
    public static ErrorClass classify(Throwable e) {
        if (e instanceof S3Exception s3) {
            return classifyAnswer(s3.statusCode(), errorCode(s3));
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return ErrorClass.NETWORK_TIMEOUT;
        }
        if (e instanceof SdkClientException) {
            ErrorClass network = classifyNetwork(e);
            return network != null ? network : ErrorClass.CLIENT_ERROR;
        }
        if (e instanceof SdkException) {
            return ErrorClass.CLIENT_ERROR;
        }
        if (e instanceof NoSuchFileException) {
            return ErrorClass.SOURCE_VANISHED;
        }
        if (e instanceof AccessDeniedException) {
            return ErrorClass.SOURCE_ACCESS_DENIED;
        }
        if (e instanceof IOException) {
            return ErrorClass.SOURCE_READ_ERROR;
        }
        return ErrorClass.CLIENT_ERROR;
    }

    /** A status code and S3 error code, as the store answered them. */
    static ErrorClass classifyAnswer(int status, String code) {
        if ("NoSuchBucket".equals(code)) {
            return ErrorClass.NO_SUCH_BUCKET;
        }
        if ("InvalidAccessKeyId".equals(code)) {
            return ErrorClass.INVALID_ACCESS_KEY;
        }
        if ("SignatureDoesNotMatch".equals(code)) {
            return ErrorClass.SIGNATURE_MISMATCH;
        }
        if (code != null && QUOTA_CODES.contains(code)) {
            return ErrorClass.QUOTA_EXCEEDED;
        }
        if ("EntityTooLarge".equals(code)) {
            return ErrorClass.ENTITY_TOO_LARGE;
        }
        if ("NoSuchUpload".equals(code) || "InvalidPart".equals(code) || "InvalidPartOrder".equals(code)) {
            return ErrorClass.UPLOAD_LOST;
        }
        if ("RequestTimeout".equals(code) || status == 408) {
            return ErrorClass.REQUEST_TIMEOUT;
        }
        if ("BadDigest".equals(code)) {
            return ErrorClass.BAD_DIGEST;
        }
        if (status == 503 && ("SlowDown".equals(code) || code == null)) {
            return ErrorClass.THROTTLED_503;
        }
        if (status == 429) {
            return ErrorClass.THROTTLED_429;
        }
        if (status >= 500) {
            return ErrorClass.SERVER_ERROR;
        }
        if (status == 401) {
            return ErrorClass.INVALID_ACCESS_KEY;
        }
        if (status == 403) {
            return ErrorClass.ACCESS_DENIED;
        }
        return ErrorClass.REJECTED;
    }

    /** Network failures, found in the cause chain of an SDK client exception; null when it is none. */
    private static ErrorClass classifyNetwork(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException) {
                return ErrorClass.DNS_FAILURE;
            }
            if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException
                    || t.getClass().getSimpleName().contains("Timeout")) {
                return ErrorClass.NETWORK_TIMEOUT;
            }
            if (t instanceof ConnectException || t instanceof SocketException
                    || t.getClass().getSimpleName().equals("NoHttpResponseException")
                    || t instanceof IOException) {
                return ErrorClass.CONNECTION_FAILED;
            }
        }
        return null;
    }

    /** True when the failure is the gateway's own (no connection, 5xx, throttling). */
    public static boolean opensCircuit(SdkException e) {
        return classify(e).opensCircuit();
    }

    public static String describe(SdkException e) {
        String ferryCode = classify(e).code().name();
        if (e instanceof S3Exception s3) {
            String code = errorCode(s3);
            return ferryCode + ": S3 " + s3.statusCode() + (code != null ? " " + code : "") + ": "
                    + (s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorMessage() : s3.getMessage());
        }
        return ferryCode + ": " + e.getMessage();
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }
}
