package dev.ferry.worker.s3;

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
 * The error table of {@code docs/errors.md}: every failure a copy can meet, with the Ferry code it
 * is reported under, what the worker does about it, and whether it counts against one gateway.
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
        NO_SUCH_BUCKET("S3_NO_SUCH_BUCKET", Scope.TASK, false),
        ACCESS_DENIED("S3_ACCESS_DENIED", Scope.TASK, false),
        INVALID_ACCESS_KEY("S3_AUTH_FAILED", Scope.TASK, false),
        SIGNATURE_MISMATCH("S3_AUTH_FAILED", Scope.TASK, false),
        THROTTLED_503("S3_THROTTLED", Scope.TASK, true),
        THROTTLED_429("S3_THROTTLED", Scope.TASK, true),
        SERVER_ERROR("S3_SERVER_ERROR", Scope.TASK, true),
        QUOTA_EXCEEDED("S3_QUOTA_EXCEEDED", Scope.TASK, false),
        ENTITY_TOO_LARGE("OBJECT_TOO_LARGE", Scope.FILE, false),
        UPLOAD_LOST("MULTIPART_UPLOAD_LOST", Scope.TASK, false),
        REQUEST_TIMEOUT("S3_REQUEST_TIMEOUT", Scope.TASK, true),
        BAD_DIGEST("CHECKSUM_MISMATCH", Scope.TASK, false),
        REJECTED("S3_REJECTED", Scope.FILE, false),
        VERIFY_MISMATCH("VERIFY_MISMATCH", Scope.FILE, false),
        PARTS_INCOMPLETE("PARTS_INCOMPLETE", Scope.FILE, false),
        SOURCE_NOT_DELETED("SOURCE_NOT_DELETED", Scope.FILE, false),
        // network
        CONNECTION_FAILED("S3_UNREACHABLE", Scope.TASK, true),
        NETWORK_TIMEOUT("S3_TIMEOUT", Scope.TASK, true),
        DNS_FAILURE("S3_UNREACHABLE", Scope.TASK, true),
        CLIENT_ERROR("S3_CLIENT_ERROR", Scope.TASK, false),
        // the source filesystem
        SOURCE_ACCESS_DENIED("ACCESS_DENIED", Scope.FILE, false),
        SOURCE_VANISHED("SOURCE_VANISHED", Scope.FILE, false),
        SOURCE_READ_ERROR("SOURCE_READ_ERROR", Scope.FILE, false),
        SOURCE_CHANGED("SOURCE_CHANGED", Scope.FILE, false),
        NOT_A_REGULAR_FILE("NOT_A_REGULAR_FILE", Scope.FILE, false),
        NAME_NOT_ENCODABLE("NAME_NOT_ENCODABLE", Scope.FILE, false),
        KEY_TOO_LONG("KEY_TOO_LONG", Scope.FILE, false);

        private final String code;
        private final Scope scope;
        private final boolean opensCircuit;

        ErrorClass(String code, Scope scope, boolean opensCircuit) {
            this.code = code;
            this.scope = scope;
            this.opensCircuit = opensCircuit;
        }

        /** The Ferry code: a file failure's {@code code}, or the prefix of a task's message. */
        public String code() {
            return code;
        }

        public Scope scope() {
            return scope;
        }

        public boolean retryable() {
            return scope == Scope.TASK;
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
        String ferryCode = classify(e).code();
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
