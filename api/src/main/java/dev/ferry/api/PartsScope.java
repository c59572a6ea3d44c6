package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/**
 * A range of parts of one huge file, uploaded by one worker into the upload the plan created. The holder
 * that finds all parts stored completes the upload; the task with {@code firstPart == 1} reports the file.
 */
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

    @Size(max = 1024)
    @JsonPropertyDescription("The multipart upload all Parts tasks of this file share; created by the plan.")
    public String uploadId;
}
