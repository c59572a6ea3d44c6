package dev.ferry.worker.copy;

import dev.ferry.worker.s3.S3Errors.ErrorClass;

/**
 * Per-file failure codes a Copy task records (permanent for that file; the task goes on). They are
 * the codes of the {@link ErrorClass#scope() FILE} rows of the error table in
 * {@link dev.ferry.worker.s3.S3Errors} (docs/errors.md), named here for the copy code's convenience.
 */
public final class FailureCodes {
    /** The file changed (size, mtime, ctime or inode) while it was read, twice in a row. */
    public static final String SOURCE_CHANGED = ErrorClass.SOURCE_CHANGED.code();
    /** The file was deleted between planning and copying. */
    public static final String SOURCE_VANISHED = ErrorClass.SOURCE_VANISHED.code();
    /** The worker may not read the file. */
    public static final String ACCESS_DENIED = ErrorClass.SOURCE_ACCESS_DENIED.code();
    /** The file could not be read for another reason (I/O error). */
    public static final String SOURCE_READ_ERROR = ErrorClass.SOURCE_READ_ERROR.code();
    /** The path is no longer a regular file (replaced by a directory, link or special file). */
    public static final String NOT_A_REGULAR_FILE = ErrorClass.NOT_A_REGULAR_FILE.code();
    /** The object key would exceed S3's 1024 UTF-8 bytes. */
    public static final String KEY_TOO_LONG = ErrorClass.KEY_TOO_LONG.code();
    /** The file's name has no UTF-8 form (it was not valid in the filesystem's encoding). */
    public static final String NAME_NOT_ENCODABLE = ErrorClass.NAME_NOT_ENCODABLE.code();
    /** The store refused this one object (a 4xx that is not about access to the store as a whole). */
    public static final String S3_REJECTED = ErrorClass.REJECTED.code();
    /** The object read back after the upload is not the file (spec.verify: size or checksum differ). */
    public static final String VERIFY_MISMATCH = ErrorClass.VERIFY_MISMATCH.code();
    /** A Parts task of the file failed for good, so its upload can never be completed (it is aborted). */
    public static final String PARTS_INCOMPLETE = ErrorClass.PARTS_INCOMPLETE.code();
    /**
     * The multipart upload a Parts task was given is gone and the object was not completed from it
     * (for a Copy task the same condition is retried with a new upload).
     */
    public static final String MULTIPART_UPLOAD_LOST = ErrorClass.UPLOAD_LOST.code();
    /** Move: the object is verified but the source was not deleted (changed after the read, or not deletable). */
    public static final String SOURCE_NOT_DELETED = ErrorClass.SOURCE_NOT_DELETED.code();
    /** The object is larger than the store accepts (EntityTooLarge). */
    public static final String OBJECT_TOO_LARGE = ErrorClass.ENTITY_TOO_LARGE.code();

    private FailureCodes() {
    }
}
