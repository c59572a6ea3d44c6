package dev.ferry.operator.status;

import dev.ferry.api.MigrationJobStatus;
import dev.ferry.operator.state.JobState;

/**
 * Whether a job whose counters are final may take its final phase (Succeeded or Failed) now, or must
 * wait in its current one: the end of a job with {@code spec.notifications} is written only once Kafka
 * acknowledged the event that announces it, so a job never reports an end that was not announced.
 */
@FunctionalInterface
public interface FinishGate {
    /** No one to tell: a job finishes as soon as its counters are final. */
    FinishGate OPEN = (state, ending, why) -> true;

    /**
     * @param ending the status the job would have: final counters, phase, start and completion time; a gate
     *        that announced the end earlier sets {@code ending.completionTime} to the moment it announced, so
     *        that the status and the announcement agree
     * @param why why the job ends the way it does (the Ready condition's message)
     */
    boolean mayFinish(JobState state, MigrationJobStatus ending, String why);
}
