package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/** The subtree a Plan task walks, relative to the job's source path. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlanScope {

    @JsonPropertyDescription("Directory relative to the job's source path; empty for the whole source.")
    @Size(max = FileEntry.MAX_PATH)
    public String directory = "";

    public PlanScope() {
    }

    public PlanScope(String directory) {
        this.directory = directory;
    }
}
