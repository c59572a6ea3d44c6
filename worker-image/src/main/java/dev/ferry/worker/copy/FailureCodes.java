package dev.ferry.worker.copy;

/** Per-file failure codes a Copy task records (permanent for that file; the task goes on). */
public final class FailureCodes {
    /** The file changed (size, mtime, ctime or inode) while it was read, twice in a row. */
    public static final String SOURCE_CHANGED = "SOURCE_CHANGED";
    /** The file was deleted between planning and copying. */
    public static final String SOURCE_VANISHED = "SOURCE_VANISHED";
    /** The worker may not read the file. */
    public static final String ACCESS_DENIED = "ACCESS_DENIED";
    /** The file could not be read for another reason (I/O error). */
    public static final String SOURCE_READ_ERROR = "SOURCE_READ_ERROR";
    /** The path is no longer a regular file (replaced by a directory, link or special file). */
    public static final String NOT_A_REGULAR_FILE = "NOT_A_REGULAR_FILE";
    /** The object key would exceed S3's 1024 UTF-8 bytes. */
    public static final String KEY_TOO_LONG = "KEY_TOO_LONG";
    /** The store refused this one object (a 4xx that is not about access to the store as a whole). */
    public static final String S3_REJECTED = "S3_REJECTED";

    private FailureCodes() {
    }
}
