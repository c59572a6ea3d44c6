package dev.ferry.operator.status;

import dev.ferry.api.FileFailure;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.JobState;
import dev.ferry.operator.assignment.Tasks;
import dev.ferry.operator.workers.WorkerPods;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Folds a job's tasks into its status: counters, phase, conditions and timing. A pure function of
 * the observed state; it decides Succeeded only when the counts add up (total = copied + skipped and
 * nothing failed), so a job can never claim success with files unaccounted for.
 */
public final class JobStatusAggregator {
    /** Failures shown in the job's status; the rest are in the tasks and the failure report. */
    public static final int MAX_FAILURES_IN_JOB_STATUS = MigrationTaskStatus.MAX_FAILURES_IN_STATUS;
    public static final String WORKERS_UNAVAILABLE = "WorkersUnavailable";
    public static final String AS_EXPECTED = "AsExpected";

    public MigrationJobStatus aggregate(JobState state) {
        MigrationJobStatus status = Serialization.clone(state.status());
        Long generation = state.job().getMetadata().getGeneration();
        List<MigrationTask> tasks = state.tasks();

        status.observedGeneration = generation;
        status.files = new MigrationJobStatus.FileCounters();
        status.bytes = new MigrationJobStatus.ByteCounters();
        status.tasks = new MigrationJobStatus.TaskCounters();
        List<FileFailure> failures = new ArrayList<>();
        for (MigrationTask task : tasks) {
            count(status, task, failures);
        }
        status.failures = failures.isEmpty() ? null : failures;
        List<MigrationTask> plans = tasks.stream().filter(t -> Tasks.type(t) == TaskType.Plan).toList();
        status.planned = !plans.isEmpty() && plans.stream().allMatch(t -> Tasks.phase(t) == TaskPhase.Succeeded);

        Verdict verdict = verdict(state, status, plans);
        status.phase = verdict.phase();
        if (status.phase.isFinished() && status.completionTime == null) {
            status.completionTime = state.now().toString();
        }
        status.progress = progress(status);
        status.throughput = throughput(status, state.now());
        conditions(state, status, verdict, generation);
        return status;
    }

    private static void count(MigrationJobStatus status, MigrationTask task, List<FileFailure> failures) {
        switch (Tasks.phase(task)) {
            case Pending -> status.tasks.pending++;
            case Assigned -> status.tasks.assigned++;
            case Running -> status.tasks.running++;
            case Succeeded -> status.tasks.succeeded++;
            case Failed -> status.tasks.failed++;
        }
        MigrationTaskStatus.Progress progress = task.getStatus() == null ? null : task.getStatus().progress;
        if (progress != null) {
            if (Tasks.type(task) == TaskType.Plan) {
                status.files.total += progress.total == null ? 0 : progress.total;
                status.bytes.total += progress.totalBytes == null ? 0 : progress.totalBytes;
            } else {
                status.files.copied += progress.copied;
                status.files.skipped += progress.skipped;
                status.files.failed += progress.failed;
                status.bytes.copied += progress.bytes;
            }
        }
        if (task.getStatus() != null && task.getStatus().failures != null) {
            for (FileFailure failure : task.getStatus().failures) {
                if (failures.size() < MAX_FAILURES_IN_JOB_STATUS) {
                    failures.add(failure);
                }
            }
        }
    }

    /** The phase and, for a finished job, why it ended the way it did. */
    record Verdict(JobPhase phase, String message) {
    }

    private static Verdict verdict(JobState state, MigrationJobStatus status, List<MigrationTask> plans) {
        MigrationJobStatus.FileCounters files = status.files;
        String done = files.done() + " of " + files.total + " files done" + (Boolean.TRUE.equals(status.planned) ? "" : " so far");
        if (state.job().getSpec().isSuspended()) {
            return new Verdict(JobPhase.Suspended, "suspended: no tasks are handed out; " + done);
        }
        if (plans.isEmpty()) {
            return new Verdict(status.startTime == null ? JobPhase.Pending : JobPhase.Planning, "waiting for the root plan task");
        }
        if (!plans.stream().allMatch(t -> Tasks.phase(t).isFinished())) {
            return new Verdict(JobPhase.Planning, "planning: " + files.total + " files found; " + done);
        }
        if (status.tasks.unfinished() > 0) {
            return new Verdict(JobPhase.Running, done);
        }
        List<String> why = new ArrayList<>();
        List<String> failedPlans = plans.stream().filter(t -> Tasks.phase(t) == TaskPhase.Failed)
                .map(t -> t.getMetadata().getName()).toList();
        if (!failedPlans.isEmpty()) {
            why.add("planning failed in " + String.join(", ", failedPlans) + ": the tree was not fully listed");
        }
        if (files.failed > 0) {
            why.add(files.failed + " file(s) failed");
        }
        long failedCopies = state.tasks().stream()
                .filter(t -> Tasks.type(t) != TaskType.Plan && Tasks.phase(t) == TaskPhase.Failed).count();
        if (failedCopies > 0) {
            why.add(failedCopies + " task(s) failed");
        }
        if (files.total != files.copied + files.skipped + files.failed) {
            why.add("counts do not add up: total " + files.total + " != copied " + files.copied + " + skipped "
                    + files.skipped + " + failed " + files.failed);
        }
        if (why.isEmpty()) {
            return new Verdict(JobPhase.Succeeded, "all " + files.total + " files migrated (copied " + files.copied
                    + ", skipped " + files.skipped + ")");
        }
        return new Verdict(JobPhase.Failed, String.join("; ", why));
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

    private static void conditions(JobState state, MigrationJobStatus status, Verdict verdict, Long generation) {
        Instant now = state.now();
        String reason = status.phase.name();
        switch (status.phase) {
            case Succeeded -> Conditions.set(status.conditions, Conditions.READY, true, reason, verdict.message(), now, generation);
            default -> Conditions.set(status.conditions, Conditions.READY, false, reason, verdict.message(), now, generation);
        }
        boolean progressing = !status.phase.isFinished() && status.phase != JobPhase.Suspended;
        Conditions.set(status.conditions, Conditions.PROGRESSING, progressing, reason, verdict.message(), now, generation);

        long readyWorkers = state.workerPods().stream().filter(WorkerPods::canTakeTasks).count();
        long handOutable = state.tasks().stream()
                .filter(t -> Tasks.phase(t) == TaskPhase.Pending)
                .filter(t -> Tasks.notBefore(t).map(nb -> !nb.isAfter(now)).orElse(true))
                .count();
        if (progressing && handOutable > 0 && readyWorkers == 0) {
            Conditions.set(status.conditions, Conditions.DEGRADED, true, WORKERS_UNAVAILABLE,
                    handOutable + " task(s) wait and no worker pod of the job is Ready", now, generation);
        } else {
            Conditions.set(status.conditions, Conditions.DEGRADED, false, AS_EXPECTED, "", now, generation);
        }
    }

    private static Optional<Instant> parse(String timestamp) {
        try {
            return timestamp == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(timestamp).toInstant());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
