package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A file that could not be migrated, with a Ferry error code (see docs/errors.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FileFailure {

    @JsonPropertyDescription("Path relative to the job's source path.")
    public String path;

    @JsonPropertyDescription("Ferry error code, e.g. SOURCE_CHANGED, ACCESS_DENIED, KEY_TOO_LONG.")
    public String code;

    @JsonPropertyDescription("Human-readable cause.")
    public String message;

    public FileFailure() {
    }

    public FileFailure(String path, String code, String message) {
        this.path = path;
        this.code = code;
        this.message = message;
    }
}
