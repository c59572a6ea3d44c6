package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One file as planning saw it: its path relative to the source root, size and modification time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FileEntry {

    @JsonPropertyDescription("Path relative to the job's source path, '/'-separated, UTF-8.")
    public String path;

    @JsonPropertyDescription("Size in bytes when planned.")
    public Long size;

    @JsonPropertyDescription("Modification time when planned, epoch milliseconds.")
    public Long mtime;

    @JsonPropertyDescription("Only for a followed symbolic link (spec.source.followSymlinks): the file it resolves to,"
            + " relative to the job's source path. The bytes are read there and stored under path.")
    public String target;

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

    public long sizeOrZero() {
        return size == null ? 0 : size;
    }
}
