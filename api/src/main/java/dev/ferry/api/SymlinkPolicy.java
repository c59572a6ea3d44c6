package dev.ferry.api;

/** What planning does with a symbolic link of the source ({@code spec.source.symlinks}). */
public enum SymlinkPolicy {
    /** Leave every link out and report it (SYMLINK_SKIPPED). */
    Skip,
    /**
     * Follow a link whose target resolves inside the source path: a link to a file is stored as that file,
     * a link to a directory is walked as that directory; links that leave the source path, dangle or loop
     * are left out and reported.
     */
    Follow,
    /**
     * Store every link, whatever it points at, as a small object at the link's key: the link's text as
     * its body and in its {@code symlink-target} metadata. Never followed.
     */
    Store
}
