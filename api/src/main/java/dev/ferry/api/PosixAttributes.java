package dev.ferry.api;

/**
 * Whether a file's POSIX attributes travel with its object ({@code spec.destination.posixAttributes}). The
 * mtime and the MD5 ({@code mtime}, {@code md5chksum}) are stored either way: Sync compares by them, and the
 * audit and later holders of a task read them.
 */
public enum PosixAttributes {
    /** {@code mode} (octal st_mode), {@code uid} and {@code gid} as user metadata, rclone's {@code --metadata} form. */
    Store,
    /**
     * Not stored: each object carries three metadata keys instead of six. For a destination that will never
     * be restored to a filesystem with its owners and permissions; a gateway that keeps metadata as extended
     * attributes of a file (S3Proxy's filesystem store, some NAS gateways) writes and reads half as many.
     */
    Skip
}
