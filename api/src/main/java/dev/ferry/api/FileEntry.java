package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/**
 * One entry as planning saw it: its path relative to the source root, size and modification time; a
 * regular file unless {@link #kind} says otherwise (absent for files, so their entries stay as small as
 * they were).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FileEntry {
    /** PATH_MAX of Linux: no path (or link text) on a POSIX source is longer, in bytes. */
    public static final int MAX_PATH = 4096;

    @Size(max = MAX_PATH)
    @JsonPropertyDescription("Path relative to the job's source path, '/'-separated, UTF-8.")
    public String path;

    @JsonPropertyDescription("Size in bytes when planned.")
    public Long size;

    @JsonPropertyDescription("Modification time when planned, epoch milliseconds.")
    public Long mtime;

    @Size(max = MAX_PATH)
    @JsonPropertyDescription("Only for a followed symbolic link (spec.source.symlinks: Follow): the file (or, for kind"
            + " Directory, the empty directory) it resolves to, relative to the job's source path. It is read there"
            + " and stored under path.")
    public String target;

    @JsonPropertyDescription("Absent for a regular file. Symlink: a symbolic link stored as a small object whose"
            + " body is its text (spec.source.symlinks: Store); size is the text's length in UTF-8 bytes and mtime"
            + " the link's own. Directory: an empty directory stored as the zero-byte marker object <key>/"
            + " (spec.source.emptyDirectories: Marker).")
    public EntryKind kind;

    @Size(max = MAX_PATH)
    @JsonPropertyDescription("Only for kind Symlink: the link's text (what readlink returns) when planned.")
    public String linkTarget;

    public FileEntry() {
    }

    public FileEntry(String path, long size, long mtime) {
        this.path = path;
        this.size = size;
        this.mtime = mtime;
    }

    /** Where the bytes are read, relative to the job's source path: the link's target, else the path itself. */
    public String readPath() {
        return target != null ? target : path;
    }

    /** The kind, {@link EntryKind#File} when absent. */
    public EntryKind kindOrFile() {
        return kind == null ? EntryKind.File : kind;
    }

    public long sizeOrZero() {
        return size == null ? 0 : size;
    }
}
