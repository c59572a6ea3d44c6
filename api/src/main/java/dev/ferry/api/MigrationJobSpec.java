package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What the user asks for. Defaults live in the schema; Ferry never writes this object. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode != 'Move' || self.overwrite != 'Never'",
        message = "mode Move cannot be combined with overwrite Never: a skipped file would be deleted without being verified")
@ValidationRule(value = "self.mode != 'Move' || self.verify == 'Checksum'",
        message = "mode Move requires verify Checksum: the source is deleted only after its content is proven")
@ValidationRule(value = "!has(oldSelf.destination) || self.destination == oldSelf.destination",
        message = "destination is immutable: create a new job to migrate elsewhere")
@ValidationRule(value = "!has(self.schedule) || !has(self.ttlSecondsAfterFinished)",
        message = "ttlSecondsAfterFinished cannot be combined with schedule: a scheduled job runs again and is never finished for good")
@ValidationRule(value = "!has(self.scheduleTimeZone) || has(self.schedule)",
        message = "scheduleTimeZone needs a schedule")
@ValidationRule(value = "!has(self.source.markMigrated) || self.source.markMigrated != 'Xattr' || self.mode != 'Move'",
        message = "source.markMigrated Xattr cannot be combined with mode Move: a moved file is deleted, there is nothing to mark")
public class MigrationJobSpec {
    /** Five fields separated by blanks (minute hour day-of-month month day-of-week); the operator parses the rest. */
    public static final String SCHEDULE_PATTERN = "^\\s*\\S+(\\s+\\S+){4}\\s*$";

    @Required
    @JsonPropertyDescription("Where the files come from: a PersistentVolumeClaim and a directory in it. It cannot"
            + " change while a run is in progress (phase Planning, Running, Verifying or Suspended).")
    public SourceSpec source;

    @Required
    @JsonPropertyDescription("Where the objects go: a bucket and key prefix on one S3-compatible store.")
    public DestinationSpec destination;

    @Default("Copy")
    @JsonPropertyDescription("Copy (default) copies every file; Sync copies only new or changed files; "
            + "Move deletes a source file after its object is verified.")
    public MigrationMode mode;

    @Default("IfDifferent")
    @JsonPropertyDescription("What to do when the object exists: IfDifferent (default) skips identical objects, "
            + "Always overwrites, Never keeps the existing object.")
    public OverwritePolicy overwrite;

    @Default("Checksum")
    @JsonPropertyDescription("How an uploaded object is verified: Size, or Checksum (default, MD5 of the whole file).")
    public VerifyMode verify;

    @Default("Plan")
    @JsonPropertyDescription("What the job is checked against before it ends: Plan (default) lists the destination and "
            + "compares it with every file the plan put in a task, copies once more what is missing or different, and "
            + "fails the job for what is still wrong; Source walks the source again instead of trusting the plan (with "
            + "verify Checksum every file is read again: the strongest check); None ends on the tasks' bookkeeping alone.")
    public AuditMode audit;

    @JsonPropertyDescription("How the tree is cut into tasks and how many tasks may exist at once.")
    public TasksSpec tasks;

    @JsonPropertyDescription("The worker pods that copy: how many, how parallel, and where they run.")
    public WorkersSpec workers;

    @JsonPropertyDescription("Where per-file outcome events are published.")
    public NotificationsSpec notifications;

    @JsonPropertyDescription("True stops handing out tasks; workers checkpoint and release what they hold.")
    public Boolean suspend;

    @io.fabric8.generator.annotation.Min(0)
    @JsonPropertyDescription("Seconds after completion when the finished job (and its tasks) is deleted."
            + " Not with schedule.")
    public Integer ttlSecondsAfterFinished;

    @Pattern(SCHEDULE_PATTERN)
    @Size(max = 100)
    @JsonPropertyDescription("Runs the job again on a cron schedule (5 fields: minute hour day-of-month month day-of-week,"
            + " e.g. '0 2 * * *'). The first run starts when the job is created; each later run starts at the first"
            + " scheduled time after the previous run finished (status.nextRunTime), once however many times were missed,"
            + " and copies what is new or changed: a Sync (a Move job moves again). status.runs keeps the last 10 runs."
            + " The annotation ferry.dev/run-now=<any new value> starts a run at once, with or without a schedule.")
    public String schedule;

    @Size(max = 64)
    @JsonPropertyDescription("The time zone of schedule, an IANA name such as Europe/Berlin (default UTC).")
    public String scheduleTimeZone;

    public MigrationMode modeOrDefault() {
        return mode != null ? mode : MigrationMode.Copy;
    }

    /**
     * The mode of run {@code run} (1 for the first, also when null): the spec's mode for the first run; every later
     * run copies what is new or changed (Sync), except a Move job's, which moves what is new.
     */
    public MigrationMode modeOfRun(Long run) {
        MigrationMode first = modeOrDefault();
        if (run == null || run <= 1 || first == MigrationMode.Move) {
            return first;
        }
        return MigrationMode.Sync;
    }

    public OverwritePolicy overwriteOrDefault() {
        return overwrite != null ? overwrite : OverwritePolicy.IfDifferent;
    }

    public VerifyMode verifyOrDefault() {
        return verify != null ? verify : VerifyMode.Checksum;
    }

    public AuditMode auditOrDefault() {
        return audit != null ? audit : AuditMode.Plan;
    }

    public TasksSpec tasksOrDefaults() {
        return tasks != null ? tasks : new TasksSpec();
    }

    public WorkersSpec workersOrDefaults() {
        return workers != null ? workers : new WorkersSpec();
    }

    @JsonIgnore // a helper, not a field: without this Jackson writes "suspended" and cannot read it back
    public boolean isSuspended() {
        return Boolean.TRUE.equals(suspend);
    }
}
