package dev.ferry.operator.runs;

import dev.ferry.api.MigrationJobStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code status.runs}: what each finished run did, newest first, at most {@link MigrationJobStatus#RUNS_KEPT}. A run
 * is recorded once its job is finished (its counters are final then) and before the next run resets them.
 */
public final class RunHistory {

    private RunHistory() {
    }

    /** Adds the finished run of {@code status} to its {@code runs} unless it is there already. */
    public static void recordFinished(MigrationJobStatus status) {
        if (status.phase == null || !status.phase.isFinished()) {
            return;
        }
        long run = status.runOrFirst();
        List<MigrationJobStatus.RunRecord> runs = status.runs == null ? new ArrayList<>() : new ArrayList<>(status.runs);
        if (runs.stream().anyMatch(r -> r.run == run)) {
            return;
        }
        MigrationJobStatus.RunRecord record = new MigrationJobStatus.RunRecord();
        record.run = run;
        record.mode = status.runMode;
        record.phase = status.phase;
        record.startTime = status.startTime;
        record.completionTime = status.completionTime;
        record.files = Serialization.clone(status.files);
        record.bytes = Serialization.clone(status.bytes);
        record.failureReport = status.failureReport;
        runs.add(0, record);
        status.runs = new ArrayList<>(runs.subList(0, Math.min(runs.size(), MigrationJobStatus.RUNS_KEPT)));
    }
}
