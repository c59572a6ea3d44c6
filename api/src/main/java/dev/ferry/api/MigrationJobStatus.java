package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of a job. Conditions are the contract; phase is a convenience. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationJobStatus {

    @JsonPropertyDescription("Summary of the conditions: Pending, Planning, Running, Verifying (the audit), Succeeded, Failed, Suspended.")
    public JobPhase phase;

    @JsonPropertyDescription("The generation of the spec this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Standard conditions: Ready, Progressing, Degraded, Verified (the audit), NotificationsPending.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("File counters: total = copied + skipped + failed when the job is finished.")
    public FileCounters files = new FileCounters();

    @JsonPropertyDescription("Byte counters.")
    public ByteCounters bytes = new ByteCounters();

    @JsonPropertyDescription("Tasks by phase.")
    public TaskCounters tasks = new TaskCounters();

    @JsonPropertyDescription("Bytes copied as a percentage of bytes planned, e.g. 42%.")
    public String progress;

    @JsonPropertyDescription("Average throughput since the job started.")
    public Throughput throughput;

    @JsonPropertyDescription("True once every Plan task has finished: the totals are final.")
    public Boolean planned;

    @JsonPropertyDescription("When the job started, RFC 3339.")
    public String startTime;

    @JsonPropertyDescription("When the job finished, RFC 3339.")
    public String completionTime;

    @JsonPropertyDescription("Failed files (bounded); the full report is under the job's state prefix.")
    public List<FileFailure> failures;

    @JsonPropertyDescription("Object key (in the destination bucket) of the failure report: every file not migrated, JSON lines;"
            + " written when the job ends with something to report.")
    public String failureReport;

    @JsonPropertyDescription("The audit before the end (spec.audit): what it checked and found.")
    public AuditResult audit;

    @JsonPropertyDescription("Succeeded tasks beyond spec.tasks.historyLimit: deleted, their counts kept here (files, bytes and tasks include them).")
    public TaskHistory history;

    @JsonPropertyDescription("Kafka delivery of the operator's own job events (spec.notifications).")
    public Notifications notifications;

    /** The files that have reached an outcome. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class FileCounters {
        public long total;
        public long copied;
        public long skipped;
        public long failed;

        public long done() {
            return copied + skipped + failed;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ByteCounters {
        public long total;
        public long copied;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TaskCounters {
        public int pending;
        public int assigned;
        public int running;
        public int succeeded;
        public int failed;

        public int unfinished() {
            return pending + assigned + running;
        }

        public int total() {
            return unfinished() + succeeded + failed;
        }
    }

    /**
     * Succeeded tasks that no longer exist as objects: their counts live on here. A fold is one status
     * write that adds a batch to {@code folded} and names it in {@code deleting}, then the deletes, then a
     * later write that empties {@code deleting}; tasks named in {@code deleting} are counted only here, so
     * an operator that dies between the steps never counts a task twice.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TaskHistory {
        @JsonPropertyDescription("Counts of the Succeeded tasks folded so far.")
        public Folded folded = new Folded();

        @JsonPropertyDescription("Tasks folded but perhaps not yet deleted; counted in folded only (bounded batch).")
        public List<String> deleting;
    }

    /** What the folded tasks contributed to the job's counters. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Folded {
        @JsonPropertyDescription("Folded tasks of every type.")
        public long tasks;

        @JsonPropertyDescription("Folded Plan tasks (their totals are in files.total and bytes.total).")
        public long plans;

        @JsonPropertyDescription("Files of the folded tasks: total from Plan tasks, outcomes from Copy tasks.")
        public FileCounters files = new FileCounters();

        @JsonPropertyDescription("Bytes of the folded tasks: total from Plan tasks, copied from Copy tasks.")
        public ByteCounters bytes = new ByteCounters();
    }

    /**
     * What Kafka has acknowledged of the job's own events, kept so that a new leader sends again exactly
     * what is unacknowledged. {@code job.finished} needs no field: the phase becomes Succeeded or Failed
     * only after Kafka acknowledged it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Notifications {
        @JsonPropertyDescription("True once Kafka acknowledged job.started; until then it is sent again (with the same id).")
        public Boolean startedAcknowledged;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Throughput {
        public long bytesPerSecond;
        public double filesPerSecond;
    }
}
