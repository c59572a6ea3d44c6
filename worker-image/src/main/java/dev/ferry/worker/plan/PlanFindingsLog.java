package dev.ferry.worker.plan;

import dev.ferry.api.MigrationJob;
import dev.ferry.worker.manifest.FailureLog;
import dev.ferry.worker.s3.EndpointPool;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a plan keeps every finding its status cannot: a status holds the first
 * {@value dev.ferry.api.MigrationTaskStatus#MAX_FAILURES_IN_STATUS} entries left out and unreadable directories,
 * a folded plan none, and a user must be able to see each entry the job did not store. So committed
 * findings go to the plan's two {@link FailureLog}s (unreadable directories beside the Copy tasks' failed
 * files, entries left out by policy under {@code left-out/}) before the status write whose checkpoint
 * counts them, and the audit gathers them into the failure report and the left-out report. A plan
 * without findings writes nothing, but for one start mark at the end of a plan handed out again.
 */
final class PlanFindingsLog {
    /**
     * Findings stored before the next status write when this many wait: a walk through a directory of
     * entries left out alone creates no task, so no status write, for a while, and memory stays bounded.
     */
    static final int STORE_AT = 1000;

    private final Supplier<EndpointPool> store;
    private final MigrationJob job;
    private final String plan;
    private final long epoch;
    private FailureLog failures;
    private FailureLog leftOut;
    private final long startFailed;
    private final long startSkipped;
    private boolean marked;

    /**
     * The log of {@code plan}'s holder of {@code epoch}, which starts from the counts in {@code state}. An
     * earlier holder may have stored lines beyond them and died before its status counted them; this holder
     * finds those entries again, if they still exist. So before its own first line, or at the plan's end, it
     * marks where it started ({@link FailureLog#startedFrom}), which disproves those lines. Marking late is
     * enough: a holder that stores nothing leaves the counts where it found them, so the holder that marks
     * next starts from the same counts.
     */
    PlanFindingsLog(Supplier<EndpointPool> store, MigrationJob job, String plan, long epoch, PlanState state) {
        this.store = store;
        this.job = job;
        this.plan = plan;
        this.epoch = epoch;
        this.startFailed = state.failed;
        this.startSkipped = state.skipped;
    }

    /** Stores the findings {@code state} committed since the last call. */
    void store(PlanState state) {
        if (state.unstoredFindings() == 0) {
            return;
        }
        markStart();
        List<FailureLog.Numbered> directories = state.takeUnstoredFailures();
        if (!directories.isEmpty()) {
            failures().store(directories);
        }
        List<FailureLog.Numbered> entries = state.takeUnstoredLeftOut();
        if (!entries.isEmpty()) {
            leftOut().store(entries);
        }
    }

    /** The plan ends: stores what is left, and marks this holder's start if no earlier store did. */
    void finish(PlanState state) {
        store(state);
        markStart();
    }

    private void markStart() {
        if (!marked && epoch > 1) {
            failures().startedFrom(startFailed);
            leftOut().startedFrom(startSkipped);
        }
        marked = true;
    }

    /** Stores early when many findings wait ({@link #STORE_AT}). */
    void storeIfMany(PlanState state) {
        if (state.unstoredFindings() >= STORE_AT) {
            store(state);
        }
    }

    private FailureLog failures() {
        if (failures == null) {
            failures = FailureLog.of(store.get(), job.getSpec().destination.bucket, job, plan, epoch);
        }
        return failures;
    }

    private FailureLog leftOut() {
        if (leftOut == null) {
            leftOut = FailureLog.leftOut(store.get(), job.getSpec().destination.bucket, job, plan, epoch);
        }
        return leftOut;
    }
}
