package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One line of a job's failure report ({@code status.failureReport}, JSON Lines): a file that the job did
 * not migrate, or migrated only when the audit copied it again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailureReportLine {

    @JsonPropertyDescription("Path relative to the job's source path.")
    public String path;

    @JsonPropertyDescription("Ferry error code of the file's last outcome (docs/errors.md).")
    public String code;

    @JsonPropertyDescription("Human-readable cause.")
    public String message;

    @JsonPropertyDescription("The task that carried the file.")
    public String task;

    @JsonPropertyDescription("Attempts the task used (when the task still exists).")
    public Integer attempts;

    @JsonPropertyDescription("The last worker pod that held the file's task, or that copied it again in the audit.")
    public String holder;

    @JsonPropertyDescription("What the audit found: MISSING or DIFFERENT; absent for a failure that only the task recorded.")
    public String audit;

    @JsonPropertyDescription("True when the audit's copy stored the file: it is in the destination now.")
    public Boolean recopied;
}
