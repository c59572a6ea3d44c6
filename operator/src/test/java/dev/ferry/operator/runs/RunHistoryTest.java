package dev.ferry.operator.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationMode;
import org.junit.jupiter.api.Test;

class RunHistoryTest {

    @Test
    void recordsAFinishedRunOnceNewestFirstAndKeepsTheLastTen() {
        MigrationJobStatus status = new MigrationJobStatus();
        for (long run = 1; run <= 12; run++) {
            status.run = run;
            status.runMode = run == 1 ? MigrationMode.Copy : MigrationMode.Sync;
            status.phase = run == 3 ? JobPhase.Failed : JobPhase.Succeeded;
            status.files.total = run * 10;
            status.files.copied = run * 10;
            status.failureReport = run == 3 ? "p/.ferry/uid/failure-report.jsonl" : null;
            RunHistory.recordFinished(status);
            RunHistory.recordFinished(status); // a later reconcile of the same finished run
        }

        assertThat(status.runs).hasSize(MigrationJobStatus.RUNS_KEPT);
        assertThat(status.runs).extracting(r -> r.run).containsExactly(12L, 11L, 10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L);
        MigrationJobStatus.RunRecord third = status.runs.get(9);
        assertThat(third.phase).isEqualTo(JobPhase.Failed);
        assertThat(third.mode).isEqualTo(MigrationMode.Sync);
        assertThat(third.files.copied).isEqualTo(30);
        assertThat(third.failureReport).isEqualTo("p/.ferry/uid/failure-report.jsonl");
    }

    @Test
    void aRunningJobRecordsNothing() {
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = JobPhase.Running;

        RunHistory.recordFinished(status);

        assertThat(status.runs).isNull();
    }
}
