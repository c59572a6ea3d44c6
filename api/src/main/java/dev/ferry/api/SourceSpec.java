package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The file tree to migrate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SourceSpec {
    /** Linux's PATH_MAX: no longer path names a directory. */
    public static final int MAX_PATH_LENGTH = 4096;
    /**
     * Bounds of include and exclude: besides keeping the object small, a real API server refuses a CEL rule over
     * values it cannot bound (the job's rule that the source does not change while a run is in progress compares
     * them).
     */
    public static final int MAX_GLOBS = 256;
    public static final int MAX_GLOB_LENGTH = 1024;

    @Required
    @Size(min = 1, max = 253)
    @Pattern(Patterns.DNS_NAME)
    @JsonPropertyDescription("Name of the PersistentVolumeClaim that holds the files (mounted read-only unless mode is Move).")
    public String pvc;

    @Default("/")
    @Size(max = SourceSpec.MAX_PATH_LENGTH)
    @Pattern("^/.*$")
    @JsonPropertyDescription("Directory inside the volume to migrate, absolute within the volume (default /).")
    public String path;

    @JsonPropertyDescription("Glob patterns of files to include; empty includes all. As in .gitignore, rsync and rclone:"
            + " a glob without a slash matches a file's name at any depth (*.csv), one with a slash the path relative to"
            + " the source path (logs/*.gz, **/2024/*), one with a leading slash only from the top (/*.csv).")
    @Size(max = MAX_GLOBS)
    public List<@Size(max = MAX_GLOB_LENGTH) String> include;

    @JsonPropertyDescription("Glob patterns of files to leave out, read as include's (*.tmp: every .tmp file);"
            + " applied after include. A directory an exclude X/** matches is not walked at all (**/.snapshot/**).")
    @Size(max = MAX_GLOBS)
    public List<@Size(max = MAX_GLOB_LENGTH) String> exclude;

    @Size(max = 32)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Leave out files modified more recently than this (e.g. 10m): they may still be written.")
    public String minFileAge;

    @Default("None")
    @JsonPropertyDescription("Mark each migrated file on the source: None (default), or Xattr: once its object is"
            + " verified, the file gets the user extended attribute user.ferry.migrated (the object's key, ETag, the job's"
            + " UID and the time). Copy and Sync only; the source is then mounted writable. A file the filesystem"
            + " cannot mark stays migrated (the worker logs it). Ferry never reads the mark back.")
    public MarkMigrated markMigrated;

    // No schema default: the API server would then fill in Skip and hide the deprecated
    // followSymlinks: true that an older spec relies on (see effectiveSymlinks)
    @JsonPropertyDescription("Symbolic links: Skip (default) leaves each one out and reports it; Follow follows a"
            + " link whose target resolves inside the source path (links that leave it, dangle or loop are left out"
            + " and reported); Store stores every link, never followed, as a small object at the link's key whose body"
            + " is the link's text, also in its symlink-target metadata.")
    public SymlinkPolicy symlinks;

    @Default("false")
    @JsonPropertyDescription("Deprecated: use symlinks: Follow. When symlinks is not set, true means Follow.")
    public Boolean followSymlinks;

    @Default("Skip")
    @JsonPropertyDescription("Directories without any entry: Skip (default) stores nothing; Marker stores a"
            + " zero-byte object <key of the directory>/ with its mtime, mode, uid and gid (the S3 console's"
            + " and rclone's directory marker). The source path itself never gets one.")
    public EmptyDirectoryPolicy emptyDirectories;

    /** {@link #symlinks} when set; otherwise Follow for the deprecated {@code followSymlinks: true}, else Skip. */
    public SymlinkPolicy effectiveSymlinks() {
        if (symlinks != null) {
            return symlinks;
        }
        return Boolean.TRUE.equals(followSymlinks) ? SymlinkPolicy.Follow : SymlinkPolicy.Skip;
    }

    public MarkMigrated markMigratedOrDefault() {
        return markMigrated == null ? MarkMigrated.None : markMigrated;
    }

    public EmptyDirectoryPolicy emptyDirectoriesOrDefault() {
        return emptyDirectories == null ? EmptyDirectoryPolicy.Skip : emptyDirectories;
    }

    public String pathOrRoot() {
        return path == null || path.isBlank() ? "/" : path;
    }
}
