package dev.ferry.api;

/** What planning does with a directory of the source that has no entries ({@code spec.source.emptyDirectories}). */
public enum EmptyDirectoryPolicy {
    /** Nothing is stored: S3 has no directories, a key prefix exists only through the objects under it. */
    Skip,
    /**
     * A zero-byte object at {@code <key of the directory>/}, the directory marker of the S3 console and
     * {@code rclone --s3-directory-markers}, carrying the directory's mtime, mode, uid and gid.
     */
    Marker
}
