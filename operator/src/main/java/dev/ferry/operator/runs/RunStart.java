package dev.ferry.operator.runs;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.operator.schedule.NextRun;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.status.Conditions;
import dev.ferry.operator.status.JobStatusAggregator;
import dev.ferry.operator.status.JobStatusRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers a job's runs and starts the next one. Starting a run is one resourceVersion-locked status write that
 * keeps what belongs to the job ({@code runs}, {@code lastRunNow}, the conditions) and resets what belongs to the
 * run: counters, failures, the audit, the failure report, the task history, {@code notifications} (so that the run
 * gets its own {@code job.started} and {@code job.finished}), start and completion. The phase goes back to Pending;
 * {@link PreviousRun} then deletes the last run's tasks and waits for its workers before the root plan of the new
 * run is created.
 */
public final class RunStart {
    private static final Logger LOG = LoggerFactory.getLogger(RunStart.class);
    public static final String RUN_STARTING = "RunStarting";

    private final JobStatusRecorder recorder;

    public RunStart(JobStatusRecorder recorder) {
        this.recorder = recorder;
    }

    /**
     * The first run of a job (or a job whose status predates runs) gets its number, its mode and the run-now value
     * it started with, in the status being built; a value set before the first run starts therefore starts nothing.
     */
    public static void number(JobState state) {
        MigrationJobStatus status = state.status();
        if (status.run == null) {
            status.run = 1L;
            status.lastRunNow = NextRun.runNowValue(state.job());
        }
        if (status.runMode == null) {
            status.runMode = state.job().getSpec().modeOfRun(status.run);
        }
    }

    /** Writes the status that starts the next run; false when the job changed since it was read. */
    public boolean start(JobState state, String trigger) {
        MigrationJobStatus finished = state.status();
        MigrationJobSpec spec = state.job().getSpec();
        Long generation = state.job().getMetadata().getGeneration();
        MigrationJobStatus next = new MigrationJobStatus();
        next.run = finished.runOrFirst() + 1;
        next.runMode = spec.modeOfRun(next.run);
        next.runs = finished.runs;
        next.lastRunNow = NextRun.runNowValue(state.job());
        next.phase = JobPhase.Pending;
        next.observedGeneration = generation;
        if (finished.history != null && finished.history.deleting != null) {
            // The names stay until the tasks are seen gone, so that the history's memory of its deletes is cleared
            // before a task of the same name exists again; folded counts belonged to the last run.
            next.history = new MigrationJobStatus.TaskHistory();
            next.history.deleting = finished.history.deleting;
        }
        next.conditions.addAll(finished.conditions);
        Conditions.remove(next.conditions, Conditions.VERIFIED);
        Conditions.remove(next.conditions, Conditions.QUOTA_EXCEEDED);
        Conditions.remove(next.conditions, Conditions.SCHEDULED);
        String message = "run " + next.run + " (" + next.runMode + ") starts, for " + trigger + ": the tasks of run "
                + finished.runOrFirst() + " are deleted and its workers stop first";
        Conditions.set(next.conditions, Conditions.READY, false, RUN_STARTING, message, state.now(), generation);
        Conditions.set(next.conditions, Conditions.PROGRESSING, true, RUN_STARTING, message, state.now(), generation);
        Conditions.set(next.conditions, Conditions.DEGRADED, false, JobStatusAggregator.AS_EXPECTED, "", state.now(),
                generation);
        if (!recorder.record(state, next)) {
            return false;
        }
        LOG.info("job {}/{}: {}", state.namespace(), state.name(), message);
        return true;
    }
}
