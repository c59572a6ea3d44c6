package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A task's work, fixed at creation: which job, which kind of work, and which files. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a task's spec is immutable")
@ValidationRule(value = "self.type != 'Plan' || has(self.plan)", message = "a Plan task needs spec.plan")
@ValidationRule(value = "self.type != 'Parts' || has(self.parts)", message = "a Parts task needs spec.parts")
public class MigrationTaskSpec {
    /**
     * The most files a task carries inline; a longer list is a manifest object. Bounded so that the
     * immutability rule ({@code self == oldSelf}) stays within an API server's CEL cost limits.
     */
    public static final int MAX_INLINE_FILES = 50;

    @Required
    @Size(max = 253)
    @JsonPropertyDescription("Name of the MigrationJob this task belongs to.")
    public String jobName;

    @Required
    @JsonPropertyDescription("Plan walks a directory; Copy uploads a list of files; Parts uploads part ranges of one huge file; Audit checks the destination against the plan at the end.")
    public TaskType type;

    @JsonPropertyDescription("For Plan tasks: the directory to walk.")
    public PlanScope plan;

    @Size(max = MAX_INLINE_FILES)
    @JsonPropertyDescription("The files of a Copy task, inline when the list is small.")
    public List<FileEntry> files;

    @JsonPropertyDescription("The files of a Copy task, as an object under the job's state prefix when the list is large.")
    public ManifestRef manifest;

    @JsonPropertyDescription("For Parts tasks: the file and the part range.")
    public PartsScope parts;

    @JsonPropertyDescription("Number of files this task covers.")
    public Integer fileCount;

    @JsonPropertyDescription("Number of bytes this task covers.")
    public Long byteCount;

    @JsonPropertyDescription("For Copy tasks: the planner found no object under its directory's destination folder"
            + " before it planned the directory, so the task's first holder (epoch 1, from its first file) copies without"
            + " listing which of its keys exist (overwrite IfDifferent only). Any later holder lists as usual.")
    public Boolean freshDestination;
}
