package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of a job. Conditions are the contract; phase is a convenience. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationJobStatus {
    /** Runs kept in {@code status.runs}, newest first. */
    public static final int RUNS_KEPT = 10;

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

    @JsonPropertyDescription("The run this status describes: 1 for the job's first pass (plan, copy, audit), one more for each"
            + " run started by spec.schedule or the annotation ferry.dev/run-now. Counters, tasks, failures, the audit and the"
            + " failure report are the run's own.")
    public Long run;

    @JsonPropertyDescription("The mode of this run: spec.mode for the first run; Sync for later ones (Move for a Move job).")
    public MigrationMode runMode;

    @JsonPropertyDescription("When the next run starts (spec.schedule), RFC 3339; set while the job is between runs.")
    public String nextRunTime;

    @JsonPropertyDescription("The value of the annotation ferry.dev/run-now when the last run started: another value starts"
            + " a run once (at once on a finished job, after the current run otherwise).")
    public String lastRunNow;

    @Size(max = RUNS_KEPT)
    @JsonPropertyDescription("The last " + RUNS_KEPT + " finished runs, newest first.")
    public List<RunRecord> runs;

    /** The current run's number: 1 for a job whose status predates runs. */
    public long runOrFirst() {
        return run == null || run < 1 ? 1 : run;
    }

    /** The files that have reached an outcome. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class FileCounters {
        @JsonPropertyDescription("Files found by planning so far (final once status.planned is true).")
        public long total;
        @JsonPropertyDescription("Files uploaded and verified by this job.")
        public long copied;
        @JsonPropertyDescription("Files whose identical object was already at the destination (or left there: overwrite Never).")
        public long skipped;
        @JsonPropertyDescription("Files not migrated; each one is in the failure report with its code.")
        public long failed;
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        @JsonPropertyDescription("Entries planning left out by policy, not counted in total: symbolic links (symlinks: Skip,"
                + " or leading out of the source), special files, the reserved .ferry directory, files younger than"
                + " minFileAge; each Plan task lists them in status.skippedEntries (bounded), and the left-out report"
                + " (status.audit.leftOutReport) every one.")
        public long leftOut;

        public long done() {
            return copied + skipped + failed;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ByteCounters {
        @JsonPropertyDescription("Bytes of the files found by planning so far.")
        public long total;
        @JsonPropertyDescription("Bytes uploaded and verified by this job (skipped files not included).")
        public long copied;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TaskCounters {
        @JsonPropertyDescription("Tasks waiting for a worker.")
        public int pending;
        @JsonPropertyDescription("Tasks handed to a worker that has not started them.")
        public int assigned;
        @JsonPropertyDescription("Tasks a worker is working on.")
        public int running;
        @JsonPropertyDescription("Tasks that ended well, folded ones included.")
        public int succeeded;
        @JsonPropertyDescription("Tasks given up on (their files are counted failed); kept until the job is deleted.")
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

    /** What one finished run did: its counters as they were when it ended. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RunRecord {
        @JsonPropertyDescription("The run's number (status.run while it ran).")
        public long run;

        @JsonPropertyDescription("Copy, Sync or Move.")
        public MigrationMode mode;

        @JsonPropertyDescription("Succeeded or Failed.")
        public JobPhase phase;

        @JsonPropertyDescription("When the run started, RFC 3339.")
        public String startTime;

        @JsonPropertyDescription("When the run finished, RFC 3339.")
        public String completionTime;

        @JsonPropertyDescription("The run's file counters.")
        public FileCounters files;

        @JsonPropertyDescription("The run's byte counters.")
        public ByteCounters bytes;

        @JsonPropertyDescription("Object key of the run's failure report, when it had one (a later run's report replaces it).")
        public String failureReport;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Throughput {
        @JsonPropertyDescription("Bytes copied per second, averaged since status.startTime.")
        public long bytesPerSecond;
        @JsonPropertyDescription("Files done (copied, skipped or failed) per second, averaged since status.startTime.")
        public double filesPerSecond;
    }
}
