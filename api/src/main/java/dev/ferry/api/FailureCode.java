package dev.ferry.api;

/**
 * Every code a user can meet in Ferry's status, failure reports and events: why a file was not
 * migrated, why a task went back to Pending, or why planning left an entry out. The names are API:
 * they are written as they are ({@code status.failures[].code}, the prefix of a task's
 * {@code status.message}, {@code status.skippedEntries[].code}) and documented in docs/errors.md, which a
 * test keeps equal to this enum.
 */
public enum FailureCode {
    // The store as a whole: the task is retried.
    S3_NO_SUCH_BUCKET(Handling.RETRY_TASK),
    S3_ACCESS_DENIED(Handling.RETRY_TASK),
    S3_AUTH_FAILED(Handling.RETRY_TASK),
    S3_THROTTLED(Handling.RETRY_TASK),
    S3_SERVER_ERROR(Handling.RETRY_TASK),
    S3_QUOTA_EXCEEDED(Handling.RETRY_TASK),
    MULTIPART_UPLOAD_LOST(Handling.RETRY_TASK),
    S3_REQUEST_TIMEOUT(Handling.RETRY_TASK),
    CHECKSUM_MISMATCH(Handling.RETRY_TASK),
    S3_UNREACHABLE(Handling.RETRY_TASK),
    S3_TIMEOUT(Handling.RETRY_TASK),
    S3_CLIENT_ERROR(Handling.RETRY_TASK),
    // One file: it is reported and its task goes on.
    OBJECT_TOO_LARGE(Handling.FAIL_FILE),
    S3_REJECTED(Handling.FAIL_FILE),
    VERIFY_MISMATCH(Handling.FAIL_FILE),
    PARTS_INCOMPLETE(Handling.FAIL_FILE),
    SOURCE_NOT_DELETED(Handling.FAIL_FILE),
    ACCESS_DENIED(Handling.FAIL_FILE),
    SOURCE_VANISHED(Handling.FAIL_FILE),
    SOURCE_READ_ERROR(Handling.FAIL_FILE),
    SOURCE_CHANGED(Handling.FAIL_FILE),
    NOT_A_REGULAR_FILE(Handling.FAIL_FILE),
    NAME_NOT_ENCODABLE(Handling.FAIL_FILE),
    KEY_TOO_LONG(Handling.FAIL_FILE),
    // A task whose attempts are used up: the operator reports what it leaves unmigrated.
    TASK_FAILED(Handling.FAIL_TASK),
    // Every holder of the task died without moving it forward (a file that kills its worker: a poison pill).
    HOLDERS_DIED(Handling.FAIL_TASK),
    // Planning left the entry out by policy: not a failure, not in the job's file counts.
    SYMLINK_SKIPPED(Handling.LEAVE_OUT),
    SYMLINK_OUTSIDE_SOURCE(Handling.LEAVE_OUT),
    SYMLINK_BROKEN(Handling.LEAVE_OUT),
    SYMLINK_LOOP(Handling.LEAVE_OUT),
    SPECIAL_FILE(Handling.LEAVE_OUT),
    RESERVED_PATH(Handling.LEAVE_OUT),
    TOO_RECENT(Handling.LEAVE_OUT);

    /** What Ferry does about a code. */
    public enum Handling {
        /** Retryable: the task goes back to Pending with a backoff, keeping its checkpoint. */
        RETRY_TASK,
        /** Permanent for one file: recorded as failed, the task goes on with the next file. */
        FAIL_FILE,
        /** Permanent for a task: its attempts are used up; its unmigrated files are reported. */
        FAIL_TASK,
        /** Not a failure: planning left the entry out of the job's scope and reported it. */
        LEAVE_OUT
    }

    private final Handling handling;

    FailureCode(Handling handling) {
        this.handling = handling;
    }

    public Handling handling() {
        return handling;
    }

    /** True when the task is retried rather than a file (or the task) failed for good. */
    public boolean retryable() {
        return handling == Handling.RETRY_TASK;
    }
}
