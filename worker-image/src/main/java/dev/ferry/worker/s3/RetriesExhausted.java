package dev.ferry.worker.s3;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A request that was tried again with backoff and failed every time (a part of a multipart upload: see
 * {@code PartWriter}): its row is the last failure's ({@link S3Errors#classify} looks through), and it
 * tells the file's own retries that this failure was retried already.
 */
public final class RetriesExhausted extends SdkClientException {
    private final SdkException last;
    private final int tries;

    public RetriesExhausted(SdkException last, int tries) {
        super(SdkClientException.builder().message(last.getMessage() + " (" + tries + " tries)").cause(last));
        this.last = last;
        this.tries = tries;
    }

    public SdkException last() {
        return last;
    }

    public int tries() {
        return tries;
    }
}
