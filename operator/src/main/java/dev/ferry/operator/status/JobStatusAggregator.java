package dev.ferry.operator.status;

import dev.ferry.api.AuditMode;
import dev.ferry.api.AuditResult;
import dev.ferry.api.FileFailure;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.Plurals;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.audit.JobAudit;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.DestinationProblem;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Folds a job's tasks into its status: counters, phase, conditions and timing. A pure function of
 * the observed state; it decides Succeeded only when the counts add up (total = copied + skipped and
 * nothing failed), so a job can never claim success with files unaccounted for. Failed files count
 * whatever the phase of their task (a Succeeded task reports the files it could not migrate), and so does
 * every file a Failed task leaves ({@link TaskCounts}); the job then ends Failed.
 *
 * <p>Counts are {@code status.history.folded} (Succeeded tasks already folded, see {@code HistoryFolder})
 * plus every existing task not named in {@code status.history.deleting}: a folded task is counted once,
 * whether or not its object still exists. The failure sample keeps what it showed ({@link FailureSample}).
 *
 * <p>A destination that is unavailable ({@link DestinationProblem}) makes the job Degraded with reason
 * {@code DestinationUnavailable} and the store's message; a full one ({@code S3_QUOTA_EXCEEDED}) also sets
 * {@code QuotaExceeded}. Both clear once a task moves forward again.
 */
public final class JobStatusAggregator {
    /** Failures shown in the job's status; the rest are in the tasks and the failure report. */
    public static final int MAX_FAILURES_IN_JOB_STATUS = FailureSample.BOUND;
    public static final String DESTINATION_UNAVAILABLE = "DestinationUnavailable";
    public static final String QUOTA_EXCEEDED = "QuotaExceeded";
    public static final String WORKERS_UNAVAILABLE = "WorkersUnavailable";
    public static final String WORKERS_MISSING = "WorkersMissing";
    public static final String AS_EXPECTED = "AsExpected";
    public static final String VERIFYING = "Verifying";
    public static final String AUDIT_PASSED = "AuditPassed";
    public static final String AUDIT_FOUND_PROBLEMS = "AuditFoundProblems";
    /** Dead workers named in the Degraded message; the count says how many there are. */
    private static final int NAMED_DEAD_WORKERS = 3;

    private final WorkerLiveness liveness;

    public JobStatusAggregator(WorkerLiveness liveness) {
        this.liveness = liveness;
    }

    public MigrationJobStatus aggregate(JobState state) {
        return aggregate(state, FinishGate.OPEN);
    }

    /** The status, with a final phase only once {@code gate} lets the job finish. */
    public MigrationJobStatus aggregate(JobState state, FinishGate gate) {
        MigrationJobStatus status = Serialization.clone(state.status());
        Long generation = state.job().getMetadata().getGeneration();
        List<MigrationTask> tasks = counted(state, status);

        status.observedGeneration = generation;
        status.files = new MigrationJobStatus.FileCounters();
        status.bytes = new MigrationJobStatus.ByteCounters();
        status.tasks = new MigrationJobStatus.TaskCounters();
        List<FileFailure> failures = new ArrayList<>();
        Optional<MigrationTask> audit = tasks.stream().filter(JobAudit::isAudit).findFirst();
        for (MigrationTask task : tasks) {
            if (!JobAudit.isAudit(task)) {
                count(status, task, failures);
            }
        }
        audit.map(t -> t.getStatus() == null ? null : t.getStatus().audit).ifPresent(result -> {
            status.audit = Serialization.clone(result);
            status.failureReport = result.failureReport;
        });
        MigrationJobStatus.Folded folded = status.history == null ? new MigrationJobStatus.Folded() : status.history.folded;
        addFolded(status, folded);
        List<FileFailure> sample = FailureSample.extended(status.failures, failures);
        status.failures = sample.isEmpty() ? null : sample;
        List<MigrationTask> plans = tasks.stream().filter(t -> Tasks.type(t) == TaskType.Plan).toList();
        boolean anyPlan = !plans.isEmpty() || folded.plans > 0;
        // Only Succeeded plans are folded: the ones left decide whether planning is over.
        status.planned = anyPlan && plans.stream().allMatch(t -> Tasks.phase(t) == TaskPhase.Succeeded);

        Verdict verdict = gated(state, status, verdict(state, status, tasks, plans, anyPlan, audit), gate);
        status.phase = verdict.phase();
        status.progress = progress(status);
        status.throughput = throughput(status, state.now());
        conditions(state, status, tasks, verdict, generation);
        verified(status, audit, state.now(), generation);
        return status;
    }

    /** The existing tasks that count on their own: all but those folded already and being deleted. */
    private static List<MigrationTask> counted(JobState state, MigrationJobStatus status) {
        if (status.history == null || status.history.deleting == null || status.history.deleting.isEmpty()) {
            return state.tasks();
        }
        Set<String> deleting = new HashSet<>(status.history.deleting);
        return state.tasks().stream().filter(t -> !deleting.contains(t.getMetadata().getName())).toList();
    }

    private static void count(MigrationJobStatus status, MigrationTask task, List<FileFailure> failures) {
        switch (Tasks.phase(task)) {
            case Pending -> status.tasks.pending++;
            case Assigned -> status.tasks.assigned++;
            case Running -> status.tasks.running++;
            case Succeeded -> status.tasks.succeeded++;
            case Failed -> status.tasks.failed++;
        }
        TaskCounts.add(status.files, status.bytes, task);
        if (task.getStatus() != null && task.getStatus().failures != null) {
            failures.addAll(task.getStatus().failures);
        }
    }

    private static void addFolded(MigrationJobStatus status, MigrationJobStatus.Folded folded) {
        status.files.total += folded.files.total;
        status.files.copied += folded.files.copied;
        status.files.skipped += folded.files.skipped;
        status.files.failed += folded.files.failed;
        status.files.leftOut += folded.files.leftOut;
        status.bytes.total += folded.bytes.total;
        status.bytes.copied += folded.bytes.copied;
        status.tasks.succeeded = (int) Math.min(Integer.MAX_VALUE, status.tasks.succeeded + folded.tasks);
    }

    /** The phase and, for a finished job, why it ended the way it did. */
    record Verdict(JobPhase phase, String message) {
    }

    private static Verdict verdict(JobState state, MigrationJobStatus status, List<MigrationTask> tasks,
            List<MigrationTask> plans, boolean anyPlan, Optional<MigrationTask> audit) {
        MigrationJobStatus.FileCounters files = status.files;
        String done = files.done() + " of " + Plurals.files(files.total) + " done" + (Boolean.TRUE.equals(status.planned) ? "" : " so far");
        if (state.job().getSpec().isSuspended()) {
            return new Verdict(JobPhase.Suspended, "suspended: no tasks are handed out; " + done);
        }
        if (!anyPlan) {
            return new Verdict(status.startTime == null ? JobPhase.Pending : JobPhase.Planning, "waiting for the root plan task");
        }
        if (!plans.stream().allMatch(t -> Tasks.phase(t).isFinished())) {
            return new Verdict(JobPhase.Planning, "planning: " + Plurals.files(files.total) + " found; " + done);
        }
        if (status.tasks.unfinished() > 0) {
            return new Verdict(JobPhase.Running, done);
        }
        if (audit.isEmpty() || !Tasks.phase(audit.get()).isFinished()) {
            return new Verdict(JobPhase.Verifying, done + "; " + auditing(status.audit));
        }
        List<String> why = new ArrayList<>();
        List<MigrationTask> failedPlans = plans.stream().filter(t -> Tasks.phase(t) == TaskPhase.Failed).toList();
        if (!failedPlans.isEmpty()) {
            // the first plan's own words ("source directory /mnt/source/x does not exist"), or where to find them
            String first = failedPlans.get(0).getStatus() == null ? null : failedPlans.get(0).getStatus().message;
            why.add("planning failed in " + failedPlans.stream().map(t -> t.getMetadata().getName())
                    .collect(Collectors.joining(", ")) + ": the tree was not fully listed"
                    + (first == null || first.isBlank() ? "" : " (" + failedPlans.get(0).getMetadata().getName() + ": " + first + ")"));
        }
        if (files.failed > 0) {
            why.add(files.failed + " file(s) failed");
        }
        long failedCopies = tasks.stream()
                .filter(t -> Tasks.type(t) != TaskType.Plan && Tasks.phase(t) == TaskPhase.Failed).count();
        if (failedCopies > 0) {
            why.add(failedCopies + " task(s) failed");
        }
        if (Tasks.phase(audit.get()) == TaskPhase.Failed) {
            MigrationTaskStatus auditStatus = audit.get().getStatus();
            why.add("the audit failed: " + (auditStatus == null || auditStatus.message == null ? "no message" : auditStatus.message));
        } else if (status.audit != null && !status.audit.passed()) {
            why.add("the audit found " + status.audit.reported + " planned file(s) missing or different in the destination"
                    + " after copying them once more");
        }
        long unaccounted = files.total - (files.copied + files.skipped + files.failed);
        if (unaccounted != 0) {
            why.add("counts do not add up: total " + files.total + " != copied " + files.copied + " + skipped "
                    + files.skipped + " + failed " + files.failed + (unaccounted < 0 ? "" : ": " + unaccounted
                    + " planned file(s) have no outcome; was a task deleted before it finished (kubectl delete mt)?"
                    + (status.audit != null && status.audit.mode == AuditMode.Plan
                            ? " The audit checked them in the destination" : " No audit checked them")));
        }
        String report = status.failureReport == null ? "" : "; failure report: " + status.failureReport;
        if (why.isEmpty()) {
            return new Verdict(JobPhase.Succeeded, (files.total == 1 ? "1 file" : "all " + files.total + " files")
                    + " migrated (copied " + files.copied
                    + ", skipped " + files.skipped + ")" + audited(status.audit) + leftOut(files, status.audit) + report);
        }
        return new Verdict(JobPhase.Failed, String.join("; ", why) + report);
    }

    /** Entries planning left out by policy, which a person should know of (a link not followed is not stored). */
    private static String leftOut(MigrationJobStatus.FileCounters files, AuditResult audit) {
        if (files.leftOut == 0) {
            return "";
        }
        String where = audit != null && audit.leftOutReport != null ? "listed in " + audit.leftOutReport
                : "the Plan tasks' skippedEntries";
        return "; " + files.leftOut + " entries left out by policy (symbolic links, special files, ...: " + where + ")";
    }

    private static String auditing(AuditResult audit) {
        if (audit == null) {
            return "every task finished: the audit starts";
        }
        return audit.mode == AuditMode.None ? "writing the failure report"
                : "auditing: " + Plurals.plannedFiles(audit.checked) + " checked against the destination so far";
    }

    private static String audited(AuditResult audit) {
        if (audit == null || audit.mode != AuditMode.Plan) {
            return "";
        }
        return "; the audit found " + (audit.checked == 1 ? "the 1 planned file" : "all " + audit.checked + " planned files")
                + " in the destination"
                + (audit.recopied > 0 ? " (" + audit.recopied + " after copying them once more)" : "")
                + audit.laterVersionsNote();
    }

    /**
     * {@code Verified}: once the audit ({@code spec.audit: Plan}) has started, whether the destination holds
     * every planned file, with how many it checked and how long it took; absent without an audit.
     */
    private static void verified(MigrationJobStatus status, Optional<MigrationTask> audit, Instant now, Long generation) {
        AuditResult result = status.audit;
        if (audit.isEmpty() || result == null || result.mode != AuditMode.Plan) {
            return;
        }
        String checked = "checked " + Plurals.plannedFiles(result.checked) + " (" + result.missing + " missing, " + result.different
                + " different, " + result.recopied + " copied again, " + result.reported + " still wrong"
                + result.laterVersionsNote() + ")";
        if (!Tasks.phase(audit.get()).isFinished()) {
            Conditions.set(status.conditions, Conditions.VERIFIED, false, VERIFYING, "auditing: " + checked + " so far",
                    now, generation);
            return;
        }
        String took = parse(result.startTime).flatMap(start -> parse(result.completionTime)
                .map(end -> String.format(Locale.ROOT, " in %.1f s", Duration.between(start, end).toMillis() / 1000.0)))
                .orElse("");
        if (Tasks.phase(audit.get()) == TaskPhase.Succeeded && result.passed()) {
            Conditions.set(status.conditions, Conditions.VERIFIED, true, AUDIT_PASSED,
                    checked + took + ": the destination holds every planned file", now, generation);
        } else {
            Conditions.set(status.conditions, Conditions.VERIFIED, false, AUDIT_FOUND_PROBLEMS, checked + took
                    + (status.failureReport == null ? "" : "; see " + status.failureReport), now, generation);
        }
    }

    /**
     * A final verdict as the gate allows it: the job ends (with its completion time), or it stays Running
     * with its counters final until the gate opens on a later reconcile.
     */
    private static Verdict gated(JobState state, MigrationJobStatus status, Verdict verdict, FinishGate gate) {
        if (!verdict.phase().isFinished()) {
            return verdict;
        }
        String completionTime = status.completionTime;
        status.phase = verdict.phase();
        if (status.completionTime == null) {
            status.completionTime = state.now().toString();
        }
        if (gate.mayFinish(state, status, verdict.message())) {
            return verdict;
        }
        status.completionTime = completionTime;
        return new Verdict(JobPhase.Running, verdict.message() + "; the job is " + verdict.phase()
                + " once Kafka acknowledged its job.finished event");
    }

    /** Bytes copied of bytes planned; files when the tree has no bytes. */
    static String progress(MigrationJobStatus status) {
        if (status.phase == JobPhase.Succeeded) {
            return "100%";
        }
        long percent;
        if (status.bytes.total > 0) {
            percent = status.bytes.copied * 100 / status.bytes.total;
        } else if (status.files.total > 0) {
            percent = status.files.done() * 100 / status.files.total;
        } else {
            percent = 0;
        }
        return Math.min(percent, 100) + "%";
    }

    private static MigrationJobStatus.Throughput throughput(MigrationJobStatus status, Instant now) {
        Optional<Instant> start = parse(status.startTime);
        if (start.isEmpty()) {
            return null;
        }
        Instant end = parse(status.completionTime).orElse(now);
        long millis = Duration.between(start.get(), end).toMillis();
        MigrationJobStatus.Throughput throughput = new MigrationJobStatus.Throughput();
        if (millis > 0) {
            throughput.bytesPerSecond = status.bytes.copied * 1000 / millis;
            throughput.filesPerSecond = Math.round(status.files.done() * 100_000.0 / millis) / 100.0;
        }
        return throughput;
    }

    private void conditions(JobState state, MigrationJobStatus status, List<MigrationTask> tasks, Verdict verdict,
            Long generation) {
        Instant now = state.now();
        String reason = status.phase.name();
        switch (status.phase) {
            case Succeeded -> Conditions.set(status.conditions, Conditions.READY, true, reason, verdict.message(), now, generation);
            default -> Conditions.set(status.conditions, Conditions.READY, false, reason, verdict.message(), now, generation);
        }
        boolean progressing = !status.phase.isFinished() && status.phase != JobPhase.Suspended;
        Conditions.set(status.conditions, Conditions.PROGRESSING, progressing, reason, verdict.message(), now, generation);
        degraded(state, status, tasks, progressing, generation);
    }

    /**
     * Degraded while the job runs and its destination is unavailable (DestinationUnavailable: the store's
     * message; it comes first, since hand-out pauses for it), or its workers fall short, judged by
     * {@link WorkerLiveness} (pod state
     * and Lease), not by pod readiness alone: a hung worker keeps looking Ready. WorkersUnavailable when
     * tasks wait and no worker can take one; WorkersMissing when worker pods stay that count as dead
     * (Lease expired, not Ready past the grace, no Lease past the start-up grace): their tasks are taken
     * back, but the job runs with fewer workers than it asked for until someone replaces them.
     */
    private void degraded(JobState state, MigrationJobStatus status, List<MigrationTask> tasks, boolean progressing,
            Long generation) {
        Instant now = state.now();
        Optional<DestinationProblem> destination = DestinationProblem.of(tasks, state.workerClocks());
        quotaExceeded(status, destination.filter(p -> progressing), now, generation);
        if (progressing && destination.isPresent()) {
            DestinationProblem problem = destination.get();
            Conditions.set(status.conditions, Conditions.DEGRADED, true, DESTINATION_UNAVAILABLE,
                    describe(problem), now, generation);
            return;
        }
        long usable = state.workerPods().stream()
                .filter(pod -> liveness.canTakeTasks(pod, state.leaseOf(pod), now)).count();
        long handOutable = tasks.stream()
                .filter(t -> Tasks.phase(t) == TaskPhase.Pending)
                .filter(t -> Tasks.notBefore(t, state.workerClocks()).map(nb -> !nb.isAfter(now)).orElse(true))
                .count();
        // Pods on their way out (deleted, terminated) are being replaced: only the ones that stay and
        // cannot work (hung, partitioned, never Ready) leave the job short of workers.
        List<String> dead = new ArrayList<>();
        for (Pod pod : state.workerPods()) {
            if (WorkerPods.isLive(pod)) {
                liveness.whyDead(pod, state.leaseOf(pod), now).ifPresent(dead::add);
            }
        }
        boolean noneAskedFor = state.job().getSpec().workersOrDefaults().replicasOrDefault() == 0;
        if (progressing && handOutable > 0 && usable == 0) {
            Conditions.set(status.conditions, Conditions.DEGRADED, true, WORKERS_UNAVAILABLE,
                    handOutable + " task(s) wait and no worker of the job can take tasks"
                            + (noneAskedFor ? ": spec.workers.replicas is 0 (set it above 0; spec.suspend pauses a job)"
                            : dead.isEmpty() ? "" : ": " + named(dead)), now, generation);
        } else if (progressing && !dead.isEmpty()) {
            Conditions.set(status.conditions, Conditions.DEGRADED, true, WORKERS_MISSING,
                    dead.size() + " worker(s) count as dead: " + named(dead), now, generation);
        } else {
            Conditions.set(status.conditions, Conditions.DEGRADED, false, AS_EXPECTED, "", now, generation);
        }
    }

    /**
     * {@code QuotaExceeded=True} while the store is full for the job; once it has been, {@code False} after (the
     * condition is left out of jobs that never met a quota).
     */
    private static void quotaExceeded(MigrationJobStatus status, Optional<DestinationProblem> problem, Instant now,
            Long generation) {
        if (problem.isPresent() && problem.get().quota()) {
            Conditions.set(status.conditions, Conditions.QUOTA_EXCEEDED, true, QUOTA_EXCEEDED, describe(problem.get()),
                    now, generation);
        } else if (Conditions.find(status.conditions, Conditions.QUOTA_EXCEEDED).isPresent()) {
            Conditions.set(status.conditions, Conditions.QUOTA_EXCEEDED, false, AS_EXPECTED,
                    "writes to the destination succeed again", now, generation);
        }
    }

    private static String describe(DestinationProblem problem) {
        return problem.code() + ": " + problem.message() + " (met by task " + problem.task() + " at " + problem.time()
                + "); hand-out paused: one task at a time probes the destination, no task is failed for it";
    }

    private static String named(List<String> why) {
        String named = String.join("; ", why.subList(0, Math.min(NAMED_DEAD_WORKERS, why.size())));
        return why.size() > NAMED_DEAD_WORKERS ? named + "; and " + (why.size() - NAMED_DEAD_WORKERS) + " more" : named;
    }

    private static Optional<Instant> parse(String timestamp) {
        try {
            return timestamp == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(timestamp).toInstant());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
