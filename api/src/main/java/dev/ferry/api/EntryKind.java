package dev.ferry.api;

/** What a task's entry is on the source; a {@link FileEntry} without a kind is a regular file. */
public enum EntryKind {
    /** A regular file: its bytes become the object. */
    File,
    /** A symbolic link stored as a small object ({@code spec.source.symlinks: Store}). */
    Symlink,
    /** An empty directory stored as a marker object {@code <key>/} ({@code spec.source.emptyDirectories: Marker}). */
    Directory
}
