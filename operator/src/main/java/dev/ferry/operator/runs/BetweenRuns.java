package dev.ferry.operator.runs;

import dev.ferry.api.MigrationJobStatus;
import dev.ferry.operator.schedule.NextRun;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.status.Conditions;
import java.time.Instant;

/**
 * A job between runs (its last run Succeeded or Failed): the run is recorded in {@code status.runs}, the next
 * scheduled time in {@code status.nextRunTime}, and the condition {@code Scheduled} says when the next run starts or
 * why none will (an invalid schedule, {@code spec.suspend}). Written into the status being built.
 */
public final class BetweenRuns {
    public static final String NEXT_RUN_SCHEDULED = "NextRunScheduled";
    public static final String INVALID_SCHEDULE = "InvalidSchedule";
    public static final String SUSPENDED = "Suspended";

    private BetweenRuns() {
    }

    /** Whether (and when) the job runs again, with the status being built brought up to date. */
    public static NextRun observe(JobState state) {
        MigrationJobStatus status = state.status();
        RunHistory.recordFinished(status);
        NextRun next = NextRun.of(state.job(), status, state.now());
        status.nextRunTime = next.nextRunTime().map(Instant::toString).orElse(null);
        Long generation = state.job().getMetadata().getGeneration();
        if (next.problem().isPresent()) {
            Conditions.set(status.conditions, Conditions.SCHEDULED, false, INVALID_SCHEDULE, next.problem().get(),
                    state.now(), generation);
        } else if (next.schedule().isEmpty()) {
            Conditions.remove(status.conditions, Conditions.SCHEDULED);
        } else if (state.job().getSpec().isSuspended()) {
            Conditions.set(status.conditions, Conditions.SCHEDULED, false, SUSPENDED, "spec.suspend is true: no run starts"
                    + " until it is false (schedule " + next.schedule().get() + ")", state.now(), generation);
        } else {
            Conditions.set(status.conditions, Conditions.SCHEDULED, true, NEXT_RUN_SCHEDULED, "run "
                    + (status.runOrFirst() + 1) + " starts at " + status.nextRunTime + " (schedule " + next.schedule().get()
                    + ")", state.now(), generation);
        }
        return next;
    }
}
