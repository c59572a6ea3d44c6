package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * What the audit found: written by the Audit task's holder in the task's status, and copied by the
 * operator into the job's. Counts are of planned files (entries), each checked once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuditResult {

    @JsonPropertyDescription("Plan (the plan's manifests), Source (the source walked again) or None (no comparison,"
            + " only the failure report).")
    public AuditMode mode;

    @JsonPropertyDescription("Manifests read so far, in key order: the audit resumes after the last one.")
    public Long manifests;

    @JsonPropertyDescription("Planned files compared with the destination.")
    public long checked;

    @JsonPropertyDescription("Planned files the destination did not hold.")
    public long missing;

    @JsonPropertyDescription("Planned files the destination held with another size or checksum.")
    public long different;

    @JsonPropertyDescription("Missing or different files copied once more and found right afterwards.")
    public long recopied;

    @JsonPropertyDescription("Missing or different files still wrong after that copy: each is in the failure report.")
    public long reported;

    @JsonPropertyDescription("Planned files written to between their planning and their copy, whose objects hold a later"
            + " version than planned (right: the copy stores a file whole as it reads it); each is in the workers' log.")
    public Long laterVersions;

    @JsonPropertyDescription("Lines in the failure report: the files the audit reported and the failures the tasks recorded.")
    public Long reportLines;

    @JsonPropertyDescription("Object key of the failure report (JSON lines) in the destination bucket; absent when there is nothing to report.")
    public String failureReport;

    @JsonPropertyDescription("Object key of the left-out report (JSON lines) in the destination bucket: every entry planning left"
            + " out by policy (links not followed, special files, files too recent, ...), which are not failures; absent when none was.")
    public String leftOutReport;

    @JsonPropertyDescription("Lines in the left-out report.")
    public Long leftOutLines;

    @JsonPropertyDescription("When the audit started, RFC 3339.")
    public String startTime;

    @JsonPropertyDescription("When the audit finished, RFC 3339.")
    public String completionTime;

    /** {@code "; N changed after planning (...)"} when some planned files' objects hold a later version, else empty. */
    public String laterVersionsNote() {
        return laterVersions == null || laterVersions == 0 ? ""
                : "; " + laterVersions + " changed after planning (their objects hold the later version)";
    }

    public boolean passed() {
        return reported == 0;
    }
}
