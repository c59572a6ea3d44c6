package dev.ferry.worker.s3;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * No endpoint of the store could be reached for a request: every gateway refused the connection, did
 * not accept it in time, or has a name that does not resolve ({@link S3Errors#noConnection}). A problem
 * of the whole store, not of the object: the task waits for it without using an attempt. Its row is
 * the last failure's (S3_UNREACHABLE, S3_TIMEOUT).
 */
public final class StoreUnreachableException extends SdkClientException {
    public StoreUnreachableException(int endpoints, SdkException last) {
        super(SdkClientException.builder()
                .message((endpoints == 1 ? "the store's endpoint cannot be reached: "
                        : "none of the " + endpoints + " endpoints of the store can be reached: ") + last.getMessage())
                .cause(last));
    }
}
