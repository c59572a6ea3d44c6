package dev.ferry.worker.task;

/**
 * A failure of the whole task that another attempt may not meet (the store is unreachable, the
 * credentials Secret is missing, ...). The task goes back to Pending with attempts + 1 and a backoff,
 * keeping its checkpoint; the operator fails it after maxAttempts.
 */
public class RetryableTaskException extends RuntimeException {
    public RetryableTaskException(String message, Throwable cause) {
        super(message, cause);
    }

    public RetryableTaskException(String message) {
        super(message);
    }
}
