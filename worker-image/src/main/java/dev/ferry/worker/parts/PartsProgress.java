package dev.ferry.worker.parts;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.worker.copy.TaskMotion;
import dev.ferry.worker.manifest.FailureLog;
import dev.ferry.worker.metrics.FileMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The progress of a Parts task as it may be written down. Its checkpoint is the number of parts of its
 * range known stored — all of them or none: a holder that stops in the middle of the range records
 * nothing, and the next one verifies what is there. Parts are counted when the range is stored (and
 * when the completer sends a part again), so {@code partsReused} of a resumed range is what the
 * earlier holder left. Only the task with part 1 counts the file ({@code total}, {@code copied},
 * {@code failed}); the others count their bytes. The file's failure goes to the task's
 * {@link FailureLog} before a status write counts it, as a Copy task's failures do.
 */
final class PartsProgress {
    private final boolean countsTheFile;
    private final int rangeParts;
    private boolean rangeStored;
    private long bytes;
    private long partsUploaded;
    private long partsReused;
    private long copied;
    private long failed;
    private FailureCode failedCode;
    private final List<FileFailure> failures = new ArrayList<>();
    /** The file's failure, counted and not yet stored in the task's {@link FailureLog}. */
    private FailureLog.Numbered unstored;
    private final Consumer<List<FailureLog.Numbered>> failureLog;
    private long version;
    /** Whether the task moves (bytes of its range read or sent, the range stored): {@code progressTime}. */
    private final TaskMotion motion;
    private long motionSeen;

    /** {@code failureLog} stores the file's failure (a {@link FailureLog}); it throws when it cannot. */
    PartsProgress(MigrationTaskStatus status, boolean countsTheFile, int rangeParts, TaskMotion motion,
                  Consumer<List<FailureLog.Numbered>> failureLog) {
        this.motion = motion;
        this.failureLog = failureLog;
        this.countsTheFile = countsTheFile;
        this.rangeParts = rangeParts;
        MigrationTaskStatus.Progress prior = status == null ? null : status.progress;
        if (prior != null && Integer.toString(rangeParts).equals(prior.checkpoint)) {
            rangeStored = true;
            bytes = prior.bytes;
            partsUploaded = prior.partsUploaded == null ? 0 : prior.partsUploaded;
            partsReused = prior.partsReused == null ? 0 : prior.partsReused;
        }
    }

    boolean countsTheFile() {
        return countsTheFile;
    }

    synchronized boolean rangeStored() {
        return rangeStored;
    }

    synchronized long version() {
        long moved = motion.look();
        if (moved != motionSeen) {
            motionSeen = moved;
            version++;
        }
        return version;
    }

    synchronized void rangeStored(long rangeBytes, int uploaded, int reused) {
        rangeStored = true;
        bytes = rangeBytes;
        partsUploaded += uploaded;
        partsReused += reused;
        version++;
        motion.outcome();
    }

    /** Parts of other ranges the completer found different from the file and sent again. */
    synchronized void completionSent(int uploaded) {
        partsUploaded += uploaded;
        version++;
    }

    synchronized void fileCopied() {
        if (countsTheFile) {
            copied = 1;
            version++;
        }
        motion.outcome();
    }

    /** The file failed: its bytes do not count as copied; the task with part 1 records the failure. */
    synchronized void fileFailed(String path, FailureCode code, String message) {
        bytes = 0;
        if (countsTheFile && failed == 0) {
            failed = 1;
            failedCode = code;
            FileFailure failure = new FileFailure(path, code.name(), message);
            failures.add(failure);
            unstored = new FailureLog.Numbered(1, failure);
        }
        version++;
        motion.outcome();
    }

    synchronized long files() {
        return copied + failed;
    }

    synchronized long copied() {
        return copied;
    }

    synchronized long failed() {
        return failed;
    }

    synchronized long bytes() {
        return bytes;
    }

    /**
     * Counts what this task's end adds to the job's counters — its range's bytes, and for the task with
     * part 1 the file — in the worker's meters: called once, when the task is written Succeeded.
     */
    synchronized void countIn(FileMetrics meters) {
        if (copied > 0) {
            meters.copied(bytes);
        } else {
            meters.bytes(bytes);
        }
        if (failed > 0) {
            meters.failed(failedCode);
        }
    }

    /** The stored range only, without the file's outcome: for a release before the outcome's event is acknowledged. */
    synchronized void writeRangeTo(MigrationTaskStatus status) {
        long keptCopied = copied;
        long keptFailed = failed;
        List<FileFailure> keptFailures = List.copyOf(failures);
        copied = 0;
        failed = 0;
        failures.clear();
        writeTo(status);
        copied = keptCopied;
        failed = keptFailed;
        failures.addAll(keptFailures);
    }

    /** Writes the progress into {@code status}, once the failure it counts (if any) is stored. */
    synchronized void writeTo(MigrationTaskStatus status) {
        if (unstored != null && failed > 0) { // writeRangeTo hides the failure until its event is acknowledged
            failureLog.accept(List.of(unstored));
            unstored = null;
        }
        MigrationTaskStatus.Progress p = new MigrationTaskStatus.Progress();
        p.total = countsTheFile ? 1L : 0L;
        p.files = copied + failed;
        p.copied = copied;
        p.failed = failed;
        p.bytes = bytes;
        p.checkpoint = Integer.toString(rangeStored ? rangeParts : 0);
        p.partsUploaded = partsUploaded == 0 ? null : partsUploaded;
        p.partsReused = partsReused == 0 ? null : partsReused;
        status.progress = p;
        status.failures = failures.isEmpty() ? null : List.copyOf(failures);
        motion.writeTo(status);
    }
}
