package dev.ferry.worker.plan;

import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.worker.manifest.FailureLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A plan's durable state: what its status records after each task it created. Counters and checkpoint
 * always move together, so a resumed plan (which starts from the recorded state) counts nothing twice.
 * Entries left out by policy and unreadable directories found after the checkpoint wait in memory
 * until the checkpoint passes them: a plan released before that finds them again and reports them once.
 * Once committed, each is numbered by its counter ({@code failed} or {@code skipped}) and waits to be stored in
 * the plan's logs ({@link PlanFindingsLog}), since the status keeps only the first of them.
 */
final class PlanState {
    int tasksCreated;
    volatile String checkpoint;
    /** The plan's folder was empty at the destination when its first holder began ({@link FreshDestination}). */
    boolean freshDestination;
    long total;
    long totalBytes;
    long failed;
    long skipped;
    final List<FileFailure> failures = new ArrayList<>();
    final List<FileFailure> skippedEntries = new ArrayList<>();
    /** Findings after the checkpoint, in walk order. */
    private final Deque<Finding> pending = new ArrayDeque<>();
    /** Committed findings not stored in the plan's logs yet: unreadable directories, entries left out. */
    private List<FailureLog.Numbered> unstoredFailures = new ArrayList<>();
    private List<FailureLog.Numbered> unstoredLeftOut = new ArrayList<>();

    private record Finding(FileFailure report, boolean failure) {
    }

    PlanState(MigrationTaskStatus status) {
        MigrationTaskStatus.Progress p = status == null ? null : status.progress;
        if (p != null) {
            tasksCreated = p.tasksCreated == null ? 0 : p.tasksCreated;
            checkpoint = p.checkpoint;
            total = p.total == null ? 0 : p.total;
            totalBytes = p.totalBytes == null ? 0 : p.totalBytes;
            failed = p.failed;
            skipped = p.skipped;
            freshDestination = Boolean.TRUE.equals(p.freshDestination);
        }
        if (status != null && status.failures != null) {
            failures.addAll(status.failures);
        }
        if (status != null && status.skippedEntries != null) {
            skippedEntries.addAll(status.skippedEntries);
        }
    }

    /** Moves the checkpoint forward to {@code position} (never back) and commits what it now covers. */
    void advanceTo(String position) {
        checkpoint = Checkpoint.max(checkpoint, position);
        while (!pending.isEmpty() && !Checkpoint.after(pending.peekFirst().report().path, checkpoint)) {
            commit(pending.pollFirst());
        }
    }

    /** An entry left out by policy ({@code failure} false) or a directory that cannot be read (true). */
    void found(String path, String code, String message, boolean failure) {
        pending.addLast(new Finding(new FileFailure(path, code, message), failure));
    }

    int pendingFindings() {
        return pending.size();
    }

    /** The walk is complete: everything found is part of the result. */
    void commitAll() {
        while (!pending.isEmpty()) {
            commit(pending.pollFirst());
        }
    }

    private void commit(Finding finding) {
        if (finding.failure()) {
            failed++;
            unstoredFailures.add(new FailureLog.Numbered(failed, finding.report()));
            if (failures.size() < MigrationTaskStatus.MAX_FAILURES_IN_STATUS) {
                failures.add(finding.report());
            }
        } else {
            skipped++;
            unstoredLeftOut.add(new FailureLog.Numbered(skipped, finding.report()));
            if (skippedEntries.size() < MigrationTaskStatus.MAX_FAILURES_IN_STATUS) {
                skippedEntries.add(finding.report());
            }
        }
    }

    /** How many committed findings wait to be stored. */
    int unstoredFindings() {
        return unstoredFailures.size() + unstoredLeftOut.size();
    }

    /** The committed unreadable directories not stored yet, numbered by {@code failed}; from now on stored. */
    List<FailureLog.Numbered> takeUnstoredFailures() {
        List<FailureLog.Numbered> taken = unstoredFailures;
        unstoredFailures = new ArrayList<>();
        return taken;
    }

    /** The committed entries left out by policy not stored yet, numbered by {@code skipped}; from now on stored. */
    List<FailureLog.Numbered> takeUnstoredLeftOut() {
        List<FailureLog.Numbered> taken = unstoredLeftOut;
        unstoredLeftOut = new ArrayList<>();
        return taken;
    }

    void writeTo(MigrationTaskStatus s) {
        MigrationTaskStatus.Progress p = new MigrationTaskStatus.Progress();
        p.tasksCreated = tasksCreated;
        p.checkpoint = checkpoint;
        p.total = total;
        p.totalBytes = totalBytes;
        p.failed = failed;
        p.skipped = skipped;
        p.freshDestination = freshDestination ? Boolean.TRUE : null;
        s.progress = p;
        s.failures = failures.isEmpty() ? null : List.copyOf(failures);
        s.skippedEntries = skippedEntries.isEmpty() ? null : List.copyOf(skippedEntries);
    }
}
