package dev.ferry.api;

/** How a migrated file is marked on the source ({@code spec.source.markMigrated}). */
public enum MarkMigrated {
    /** Not at all: the source is only read (mounted read-only unless the job moves files). */
    None,
    /**
     * Once its object is verified, the file gets the user extended attribute {@code user.ferry.migrated}
     * (the object's key, its ETag, the job's UID and the time), as the system before Ferry marked them.
     * Needs a writable mount and a filesystem with user xattrs; never read back by Ferry.
     */
    Xattr
}
