package dev.ferry.operator.status;

import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationTaskStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The job's {@code status.failures}: a bounded sample of its failed files (every one is counted in
 * {@code files.failed}). It only grows: a failure once in it stays, also after its task was folded away and
 * deleted, so the history never takes a failed file out of the job's report. A Succeeded task with failures is
 * folded only once they are in the sample, or the sample is full ({@link #holds}).
 */
public final class FailureSample {
    /** Failures shown in the job's status; the rest are in the tasks and the failure report. */
    public static final int BOUND = MigrationTaskStatus.MAX_FAILURES_IN_STATUS;

    private FailureSample() {
    }

    /** The sample of {@code sample} (the job's as read, may be null) with {@code more} added while there is room. */
    static List<FileFailure> extended(List<FileFailure> sample, List<FileFailure> more) {
        List<FileFailure> extended = new ArrayList<>(sample == null ? List.of() : sample);
        for (FileFailure failure : more) {
            if (extended.size() >= BOUND) {
                break;
            }
            if (!contains(extended, failure)) {
                extended.add(failure);
            }
        }
        return extended;
    }

    /** Whether the job's sample already shows the task's failures, or has no room left for them anyway. */
    public static boolean holds(List<FileFailure> sample, List<FileFailure> taskFailures) {
        if (taskFailures == null || taskFailures.isEmpty()) {
            return true;
        }
        List<FileFailure> shown = sample == null ? List.of() : sample;
        return shown.size() >= BOUND || taskFailures.stream().allMatch(f -> contains(shown, f));
    }

    private static boolean contains(List<FileFailure> sample, FileFailure failure) {
        return sample.stream().anyMatch(f -> Objects.equals(f.path, failure.path) && Objects.equals(f.code, failure.code)
                && Objects.equals(f.message, failure.message));
    }
}
