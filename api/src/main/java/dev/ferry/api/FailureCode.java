package dev.ferry.api;

/**
 * Every code a user can meet in Ferry's status, failure reports and events: why a file was not
 * migrated, why a task went back to Pending, or why planning left an entry out. The names are API:
 * they are written as they are ({@code status.failures[].code}, the prefix of a task's
 * {@code status.message}, {@code status.skippedEntries[].code}) and documented in docs/errors.md, which a
 * test keeps equal to this enum.
 */
public enum FailureCode {
    // The destination as a whole: the task waits (Pending, no attempt used) and the job shows it.
    S3_NO_SUCH_BUCKET(Handling.STORE),
    S3_ACCESS_DENIED(Handling.STORE),
    S3_AUTH_FAILED(Handling.STORE),
    S3_QUOTA_EXCEEDED(Handling.STORE),
    // Transient: retried for the file (or part) with backoff, then the file is reported with the code.
    // S3_UNREACHABLE and S3_TIMEOUT are also what a task waits on when every endpoint of the store is out.
    S3_THROTTLED(Handling.RETRY_FILE),
    S3_SERVER_ERROR(Handling.RETRY_FILE),
    MULTIPART_UPLOAD_LOST(Handling.RETRY_FILE),
    S3_REQUEST_TIMEOUT(Handling.RETRY_FILE),
    CHECKSUM_MISMATCH(Handling.RETRY_FILE),
    S3_UNREACHABLE(Handling.RETRY_FILE),
    S3_TIMEOUT(Handling.RETRY_FILE),
    S3_CLIENT_ERROR(Handling.RETRY_FILE),
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
    PATH_OUTSIDE_SOURCE(Handling.FAIL_FILE),
    // The audit before the job ends: a planned file the destination does not hold, or holds with another
    // size or checksum, even after one more copy.
    AUDIT_MISSING(Handling.FAIL_FILE),
    AUDIT_MISMATCH(Handling.FAIL_FILE),
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
        /**
         * A problem of the destination as a whole (no bucket, refused credentials, quota): the task goes
         * back to Pending at once with a short backoff, keeping its checkpoint, without using an attempt,
         * and records it in {@code status.storeError}; the job shows it and pauses hand-out.
         */
        STORE,
        /**
         * Transient: the request is retried for the file (a part: for the part) with backoff, a bounded
         * number of times; then the file is reported with the code and its task goes on.
         */
        RETRY_FILE,
        /**
         * Retryable by the task: it goes back to Pending with a backoff and attempts + 1, keeping its
         * checkpoint. No code has it today (the store's errors are STORE or RETRY_FILE); kept for causes
         * outside the store that a later attempt may not meet.
         */
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

    /** True when the error may go away by itself (retried, or waited out), rather than a file (or task) failed for good. */
    public boolean retryable() {
        return handling == Handling.RETRY_TASK || handling == Handling.RETRY_FILE || handling == Handling.STORE;
    }

    /** True for a problem of the destination as a whole: the task waits for it without using an attempt. */
    public boolean storeWide() {
        return handling == Handling.STORE;
    }
}
