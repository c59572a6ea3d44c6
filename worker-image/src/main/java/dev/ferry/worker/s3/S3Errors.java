package dev.ferry.worker.s3;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Sorts S3 failures into the two things a worker can do about them: retry the whole task later
 * (the store is down, slow, throttling, or refuses us as a whole), or record a per-file failure
 * (the store rejected this one request).
 */
public final class S3Errors {
    private S3Errors() {
    }

    /** True when the failure concerns the store or our access to it rather than one file. */
    public static boolean isTaskLevel(SdkException e) {
        if (e instanceof SdkClientException) {
            return true; // connection refused, timeouts, DNS: the SDK already retried
        }
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            return status >= 500 || status == 429 || status == 408 || status == 401 || status == 403
                    || "NoSuchBucket".equals(errorCode(s3));
        }
        return true;
    }

    public static String describe(SdkException e) {
        if (e instanceof S3Exception s3) {
            String code = errorCode(s3);
            return "S3 " + s3.statusCode() + (code != null ? " " + code : "") + ": "
                    + (s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorMessage() : s3.getMessage());
        }
        return e.getMessage();
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }
}
