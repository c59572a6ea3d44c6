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

    @Required
    @Size(min = 1, max = 253)
    @Pattern(Patterns.DNS_NAME)
    @JsonPropertyDescription("Name of the PersistentVolumeClaim that holds the files (mounted read-only unless mode is Move).")
    public String pvc;

    @Default("/")
    @Pattern("^/.*$")
    @JsonPropertyDescription("Directory inside the volume to migrate, absolute within the volume (default /).")
    public String path = "/";

    @JsonPropertyDescription("Glob patterns (relative paths, e.g. **/*.csv) of files to include; empty includes all.")
    public List<String> include;

    @JsonPropertyDescription("Glob patterns of files to leave out; applied after include.")
    public List<String> exclude;

    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Leave out files modified more recently than this (e.g. 10m): they may still be written.")
    public String minFileAge;

    @Default("false")
    @JsonPropertyDescription("Follow symbolic links whose target lies inside the source path; links that leave it,"
            + " dangle or loop are skipped and reported. Default false: every link is skipped and reported.")
    public Boolean followSymlinks;

    public String pathOrRoot() {
        return path == null || path.isBlank() ? "/" : path;
    }
}
