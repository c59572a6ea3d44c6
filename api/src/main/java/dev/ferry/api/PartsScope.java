package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A range of parts of one huge file, uploaded by one worker; the task with the last range completes the upload. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PartsScope {

    @JsonPropertyDescription("The file.")
    public FileEntry file;

    @JsonPropertyDescription("Part size in bytes.")
    public Long partSize;

    @JsonPropertyDescription("First part number of the range (1-based, inclusive).")
    public Integer firstPart;

    @JsonPropertyDescription("Last part number of the range (inclusive).")
    public Integer lastPart;

    @JsonPropertyDescription("Total number of parts of the file.")
    public Integer totalParts;
}
