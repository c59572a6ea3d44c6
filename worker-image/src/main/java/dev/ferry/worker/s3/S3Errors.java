package dev.ferry.worker.s3;

import dev.ferry.api.FailureCode;
import dev.ferry.worker.task.StoreProblemException;
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
 * which names the {@link FailureCode} it is reported under (the code's handling says what is done) and
 * whether it counts against one gateway.
 * <ul>
 *   <li>{@link Scope#STORE}: the destination as a whole refuses us (no bucket, credentials, quota). The
 *       task goes back to Pending at once without using an attempt, with {@code status.storeError}
 *       ({@link #storeProblem}).</li>
 *   <li>{@link Scope#RETRY}: transient (5xx, throttling, timeouts, a lost connection). The file (a part:
 *       the part) is tried again with backoff ({@link dev.ferry.worker.task.Backoff}), then reported
 *       with the code — unless the store as a whole turns out to be down.</li>
 *   <li>{@link Scope#FILE}: this one file cannot be copied. Permanent for the file: recorded in the
 *       task's failures, and the task goes on with the next file.</li>
 * </ul>
 * Only failures of a gateway itself (no connection, 5xx, throttling) open its circuit in the
 * {@link EndpointPool}: a refusal of the request (403, 404, 400) would be the same on every gateway of
 * the store, so switching gateways cannot help. When no gateway can be reached at all the pool throws
 * {@link StoreUnreachableException}, a problem of the whole store too.
 */
public final class S3Errors {

    /** What the worker does about an error: the Retry column of docs/errors.md. */
    public enum Scope {
        /** The destination as a whole: the task waits (Pending, no attempt used, storeError). */
        STORE,
        /** Transient: try the file (or part) again with backoff, then fail it with the code. */
        RETRY,
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
        /** The worker's own identity (no credentials Secret) gave no credentials: no request could be signed. */
        NO_CREDENTIALS(FailureCode.S3_AUTH_FAILED, false),
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
            return switch (code.handling()) {
                case STORE -> Scope.STORE;
                case RETRY_FILE, RETRY_TASK -> Scope.RETRY;
                default -> Scope.FILE;
            };
        }

        /** True when the error may go away by itself: tried again, or waited out. */
        public boolean retryable() {
            return scope() != Scope.FILE;
        }

        /** True for a problem of the destination as a whole. */
        public boolean storeWide() {
            return scope() == Scope.STORE;
        }

        /** True when the error is the gateway's own, so the request goes to another gateway. */
        public boolean opensCircuit() {
            return opensCircuit;
        }
    }

    /**
     * Quota and "no space" codes of the stores we know: Ceph RGW and Scality say QuotaExceeded, MinIO
     * its own for a bucket quota and XMinioStorageFull for full disks. HTTP 507 Insufficient Storage,
     * whatever its code, says the same.
     */
    private static final Set<String> QUOTA_CODES = Set.of("QuotaExceeded", "XMinioAdminBucketQuotaExceeded",
            "XMinioStorageFull");
    private static final int INSUFFICIENT_STORAGE = 507;

    private S3Errors() {
    }

    /** The row of any failure of a copy: an SDK exception, a filesystem exception, or anything else. */
    public static ErrorClass classify(Throwable e) {
        if (e instanceof RetriesExhausted exhausted) {
            return classify(exhausted.last());
        }
        if (e instanceof S3Exception s3) {
            return classifyAnswer(s3.statusCode(), errorCode(s3));
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return ErrorClass.NETWORK_TIMEOUT;
        }
        if (e instanceof SdkClientException && noCredentials(e)) {
            return ErrorClass.NO_CREDENTIALS;
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

    /**
     * The SDK's credentials providers (the default chain, a web identity exchanged with STS, a container
     * endpoint) fail with "Unable to load credentials ..." and nothing more specific: every request of the
     * worker fails the same way, so the task waits as for refused keys rather than failing each file.
     */
    private static boolean noCredentials(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().startsWith("Unable to load credentials")) {
                return true;
            }
        }
        return false;
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
        if ((code != null && QUOTA_CODES.contains(code)) || status == INSUFFICIENT_STORAGE) {
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
        if (status == 501 || "NotImplemented".equals(code)) {
            // the store lacks what the request asks for (a header, a checksum): every gateway of it says
            // the same, so it is the request's problem, not the gateway's health
            return ErrorClass.REJECTED;
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

    /**
     * True when the request never reached a gateway: the connection was refused or could not be made in
     * time, or the name does not resolve. Unlike a reset connection or a read timeout (the gateway took
     * the request), this says nothing about one object: the gateway is not there.
     */
    public static boolean noConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof java.net.NoRouteToHostException || name.equals("ConnectTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /** True when the failure is the gateway's own (no connection, 5xx, throttling). */
    public static boolean opensCircuit(SdkException e) {
        return classify(e).opensCircuit();
    }

    /** "CODE: the store's answer", e.g. {@code S3_QUOTA_EXCEEDED: S3 403 QuotaExceeded: ...}. */
    public static String describe(SdkException e) {
        return classify(e).code().name() + ": " + answer(e);
    }

    /** The store's answer (or the client's failure) without the Ferry code. */
    public static String answer(SdkException e) {
        if (e instanceof RetriesExhausted exhausted) {
            return answer(exhausted.last());
        }
        if (e instanceof S3Exception s3) {
            String code = errorCode(s3);
            return "S3 " + s3.statusCode() + (code != null ? " " + code : "") + ": "
                    + (s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorMessage() : s3.getMessage());
        }
        return e.getMessage();
    }

    /**
     * The problem of the whole store that {@code e} is (or was caused by): a {@link Scope#STORE} row, or
     * no endpoint reachable ({@link StoreUnreachableException}); null when it is none. {@code context} says
     * what the task was doing.
     */
    public static StoreProblemException storeProblem(String context, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreProblemException problem) {
                return problem;
            }
            if (t instanceof StoreUnreachableException || (t instanceof SdkException sdk && classify(sdk).storeWide())) {
                SdkException sdk = (SdkException) t;
                return new StoreProblemException(classify(sdk).code(), answer(sdk), context, sdk);
            }
        }
        return null;
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }
}
