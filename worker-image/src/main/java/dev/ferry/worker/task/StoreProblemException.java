package dev.ferry.worker.task;

import dev.ferry.api.FailureCode;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import java.time.Instant;

/**
 * The destination as a whole cannot take the task's writes: the bucket does not exist, the credentials
 * are refused, the store is full, or no endpoint of the store answers. Nothing is wrong with the task or
 * its files, so the task goes back to Pending at once without using an attempt, keeping its checkpoint,
 * with {@code status.storeError} set and a short backoff ({@link Backoff#AFTER_STORE_PROBLEM}); the
 * operator shows it on the job and pauses hand-out until the store works again.
 */
public final class StoreProblemException extends RetryableTaskException {
    private final FailureCode code;
    private final String storeMessage;

    /**
     * @param code         the code of the store's answer (docs/errors.md)
     * @param storeMessage the store's answer, as {@code status.storeError.message}
     * @param context      what the task was doing, for {@code status.message}
     */
    public StoreProblemException(FailureCode code, String storeMessage, String context, Throwable cause) {
        super(context + ": " + storeMessage, cause);
        this.code = code;
        this.storeMessage = storeMessage;
    }

    public FailureCode code() {
        return code;
    }

    public String storeMessage() {
        return storeMessage;
    }

    /**
     * What the holder writes: back to Pending, not handed out again before {@link Backoff#AFTER_STORE_PROBLEM},
     * the problem in {@code storeError} and the message; {@code attempts} and the progress are left as
     * they are (the caller writes its progress first).
     */
    public void sendBack(MigrationTaskStatus status, Instant now) {
        MigrationTaskStatus.StoreError error = new MigrationTaskStatus.StoreError();
        error.code = code.name();
        error.message = storeMessage;
        error.time = now.toString();
        status.storeError = error;
        status.phase = TaskPhase.Pending;
        status.notBefore = now.plus(Backoff.AFTER_STORE_PROBLEM).toString();
        status.message = code.name() + ": " + getMessage() + " (waiting for the store; no attempt used)";
    }
}
