package dev.ferry.worker.copy;

import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.Plurals;
import dev.ferry.worker.manifest.FailureLog;
import dev.ferry.worker.metrics.FileMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The progress of a Copy task as it may be written down. Files finish out of order, but the status
 * only counts the leading files that all have an outcome (the checkpoint): a resumed task starts
 * right after it, and a file done beyond it is done again (and then usually skipped as identical)
 * without being counted twice. Bytes read and sent for the files in flight move the task too
 * ({@link TaskMotion}: {@code progressTime}) without changing its counters. The worker's file meters
 * move where the counters do, so they count what the job's status counts. Every failed file goes to the
 * task's {@link FailureLog} before a status write counts it; the status keeps the first
 * {@value MigrationTaskStatus#MAX_FAILURES_IN_STATUS}.
 */
final class CopyProgress {
    private final FileOutcome[] pending;
    private int checkpoint;
    private long copied;
    private long skipped;
    private long failed;
    private long bytes;
    private long partsUploaded;
    private long partsReused;
    private final List<FileFailure> failures = new ArrayList<>();
    /** Failed files counted and not yet stored in the task's {@link FailureLog}. */
    private final List<FailureLog.Numbered> unstored = new ArrayList<>();
    private final Consumer<List<FailureLog.Numbered>> failureLog;
    private long version;
    /** Outcomes whose events wait for the broker's acknowledgement (written as progress.eventsPending). */
    private final IntSupplier eventsAwaiting;
    private int eventsAwaitingWritten;
    /** Whether the task moves (outcomes, bytes of files in flight): {@code progressTime}. */
    private final TaskMotion motion;
    private long motionSeen;
    private final FileMetrics meters;

    CopyProgress(MigrationTaskStatus status, int fileCount) {
        this(status, fileCount, () -> 0, TaskMotion.untracked(), FileMetrics.NONE, failures -> { });
    }

    /** {@code failureLog} stores failed files (a {@link FailureLog}); it throws when it cannot. */
    CopyProgress(MigrationTaskStatus status, int fileCount, IntSupplier eventsAwaiting, TaskMotion motion,
                 FileMetrics meters, Consumer<List<FailureLog.Numbered>> failureLog) {
        this.pending = new FileOutcome[fileCount];
        this.failureLog = failureLog;
        this.meters = meters;
        this.eventsAwaiting = eventsAwaiting;
        this.motion = motion;
        MigrationTaskStatus.Progress prior = status == null ? null : status.progress;
        if (prior != null && prior.checkpoint != null) {
            checkpoint = Math.min(fileCount, Math.max(0, parse(prior.checkpoint)));
            copied = prior.copied;
            skipped = prior.skipped;
            failed = prior.failed;
            bytes = prior.bytes;
            partsUploaded = prior.partsUploaded == null ? 0 : prior.partsUploaded;
            partsReused = prior.partsReused == null ? 0 : prior.partsReused;
            if (status.failures != null) {
                failures.addAll(status.failures);
            }
        }
    }

    synchronized int checkpoint() {
        return checkpoint;
    }

    /** Changes whenever {@link #writeTo} would write something new. */
    synchronized long version() {
        int awaiting = eventsAwaiting.getAsInt();
        if (awaiting != eventsAwaitingWritten) {
            eventsAwaitingWritten = awaiting;
            version++;
        }
        long moved = motion.look();
        if (moved != motionSeen) {
            motionSeen = moved;
            version++;
        }
        return version;
    }

    synchronized long files() {
        return copied + skipped + failed;
    }

    synchronized long copied() {
        return copied;
    }

    synchronized long skipped() {
        return skipped;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized boolean allDone() {
        return checkpoint == pending.length;
    }

    synchronized long failed() {
        return failed;
    }

    synchronized void record(int index, FileOutcome outcome) {
        pending[index] = outcome;
        while (checkpoint < pending.length && pending[checkpoint] != null) {
            fold(pending[checkpoint]);
            pending[checkpoint] = null;
            checkpoint++;
            version++;
        }
    }

    private void fold(FileOutcome o) {
        switch (o.kind()) {
            case COPIED -> {
                copied++;
                bytes += o.bytes();
                partsUploaded += o.partsUploaded();
                partsReused += o.partsReused();
                meters.copied(o.bytes());
            }
            case SKIPPED -> {
                skipped++;
                meters.skipped();
            }
            case FAILED -> {
                failed++;
                meters.failed(o.code());
                FileFailure failure = new FileFailure(o.path(), o.code().name(), o.message());
                if (failures.size() < MigrationTaskStatus.MAX_FAILURES_IN_STATUS) {
                    failures.add(failure);
                }
                unstored.add(new FailureLog.Numbered(failed, failure));
            }
        }
    }

    /** Writes the progress into {@code status}, once the failed files it counts are stored. */
    synchronized void writeTo(MigrationTaskStatus status) {
        if (!unstored.isEmpty()) {
            failureLog.accept(List.copyOf(unstored));
            unstored.clear();
        }
        MigrationTaskStatus.Progress p = new MigrationTaskStatus.Progress();
        p.total = (long) pending.length;
        p.files = copied + skipped + failed;
        p.copied = copied;
        p.skipped = skipped;
        p.failed = failed;
        p.bytes = bytes;
        p.checkpoint = Integer.toString(checkpoint);
        p.partsUploaded = partsUploaded == 0 ? null : partsUploaded;
        p.partsReused = partsReused == 0 ? null : partsReused;
        int awaiting = eventsAwaiting.getAsInt();
        p.eventsPending = awaiting == 0 ? null : (long) awaiting;
        status.progress = p;
        status.failures = failures.isEmpty() ? null : List.copyOf(failures);
        motion.writeTo(status);
    }

    synchronized String summary() {
        return copied + " copied, " + skipped + " skipped, " + failed + " failed of " + Plurals.files(pending.length);
    }

    private static int parse(String checkpoint) {
        try {
            return Integer.parseInt(checkpoint.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
