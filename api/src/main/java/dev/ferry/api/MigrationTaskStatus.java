package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * The hand-over point of a task. The operator writes {@code phase: Pending/Assigned} and the
 * assignment; the holder writes Running, progress, heartbeat and the result. Every write carries a
 * resourceVersion precondition, and the holder's writes first check the assignment is still its own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationTaskStatus {

    /** Failures kept in a task's status; the rest are counted, and reported in the state prefix. */
    public static final int MAX_FAILURES_IN_STATUS = 50;

    @JsonPropertyDescription("Pending, Assigned, Running, Succeeded or Failed.")
    public TaskPhase phase;

    @JsonPropertyDescription("The generation of the spec this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Who holds the task and under which epoch.")
    public Assignment assignment;

    @JsonPropertyDescription("Failed attempts: a failure of the task, or a holder that died without progress."
            + " The task is Failed after spec.tasks.maxAttempts.")
    public Integer attempts;

    @JsonPropertyDescription("Times the task was taken back from a holder that died, was drained or stalled after making"
            + " progress: disruptions, which do not use an attempt.")
    public Integer takebacks;

    @JsonPropertyDescription("Takebacks in a row, since the task last moved forward, of holders that had started it and"
            + " died without moving it forward, excused because they held it only briefly (the operator's grace): once"
            + " this reaches 3 x spec.tasks.maxAttempts, such a death uses an attempt, so a file that kills its holder at once"
            + " still ends. Written by the operator.")
    public Integer takebacksWithoutProgress;

    @JsonPropertyDescription("When the holder last moved the task forward (a file done, bytes read or sent), RFC 3339:"
            + " a holder whose Lease is fresh but whose progress stands still past spec.tasks.stallTimeout is stalled.")
    public String progressTime;

    @JsonPropertyDescription("The store-wide problem that sent the task back to Pending (no such bucket, access denied,"
            + " quota, every endpoint down): the job shows it as a condition and pauses hand-out until it is gone.")
    public StoreError storeError;

    @JsonPropertyDescription("Not handed out again before this time (RFC 3339): retry backoff.")
    public String notBefore;

    @JsonPropertyDescription("What is done: counters and the checkpoint to resume after.")
    public Progress progress;

    @JsonPropertyDescription("Last time the holder reported progress, RFC 3339.")
    public String heartbeat;

    @JsonPropertyDescription("Files that failed (bounded).")
    public List<FileFailure> failures;

    @JsonPropertyDescription("Plan tasks: entries left out by policy, not failures (symbolic links, special files,"
            + " the reserved .ferry directory, files younger than minFileAge), each with a code; bounded like"
            + " failures, all of them counted in progress.skipped and listed in the job's left-out report.")
    public List<FileFailure> skippedEntries;

    @JsonPropertyDescription("Audit tasks: what the audit checked and found so far.")
    public AuditResult audit;

    @JsonPropertyDescription("Human-readable reason of the last transition.")
    public String message;

    @JsonPropertyDescription("Standard conditions.")
    public List<Condition> conditions = new ArrayList<>();

    /** A problem of the destination as a whole, as the holder met it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class StoreError {
        @JsonPropertyDescription("The code (docs/errors.md), e.g. S3_NO_SUCH_BUCKET or S3_QUOTA_EXCEEDED.")
        public String code;

        @JsonPropertyDescription("The store's answer.")
        public String message;

        @JsonPropertyDescription("When it was met, RFC 3339.")
        public String time;
    }

    public int takebacksOrZero() {
        return takebacks == null ? 0 : takebacks;
    }

    public int takebacksWithoutProgressOrZero() {
        return takebacksWithoutProgress == null ? 0 : takebacksWithoutProgress;
    }

    public int attemptsOrZero() {
        return attempts == null ? 0 : attempts;
    }

    public long epochOrZero() {
        return assignment == null || assignment.epoch == null ? 0 : assignment.epoch;
    }

    /** The holder of a task: the pod's name for people, its UID and the epoch for fencing. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Assignment {
        @JsonPropertyDescription("Name of the worker pod.")
        public String worker;

        @JsonPropertyDescription("UID of the worker pod: a restarted pod with the same name is a different holder.")
        public String podUid;

        @JsonPropertyDescription("Fencing token: increases on every hand-out; a holder with an older epoch must stop.")
        public Long epoch;

        @JsonPropertyDescription("When the task was handed out, RFC 3339.")
        public String since;
    }

    /** Progress counters of a task and the checkpoint it resumes after. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Progress {
        @JsonPropertyDescription("Files with an outcome (copied + skipped + failed).")
        public long files;

        @JsonPropertyDescription("Files uploaded.")
        public long copied;

        @JsonPropertyDescription("Copy and Parts tasks: files skipped because an identical object exists."
                + " Plan tasks: entries left out by policy (see skippedEntries); not part of the job's file counts.")
        public long skipped;

        @JsonPropertyDescription("Files failed.")
        public long failed;

        @JsonPropertyDescription("Bytes uploaded.")
        public long bytes;

        @JsonPropertyDescription("Plan tasks: files found. Copy tasks: files covered.")
        public Long total;

        @JsonPropertyDescription("Plan tasks: bytes found.")
        public Long totalBytes;

        @JsonPropertyDescription("Plan tasks: tasks created so far.")
        public Integer tasksCreated;

        @JsonPropertyDescription("Plan tasks: the directory's destination folder held nothing when the plan began,"
                + " so its Copy tasks are marked spec.freshDestination; kept so that a resumed plan marks the rest as well.")
        public Boolean freshDestination;

        @JsonPropertyDescription("Resume point: the last path emitted (Plan), the count of leading files done (Copy), or of leading parts of the range stored (Parts).")
        public String checkpoint;

        @JsonPropertyDescription("Multipart parts this task sent to the store (Copy tasks: of the files counted; Parts tasks: of its upload).")
        public Long partsUploaded;

        @JsonPropertyDescription("Multipart parts found already stored by an earlier holder, verified against the file (MD5) and kept.")
        public Long partsReused;

        @JsonPropertyDescription("Outcomes whose events the Kafka broker has not acknowledged yet (spec.notifications):"
                + " the checkpoint does not pass them until it does.")
        public Long eventsPending;
    }
}
