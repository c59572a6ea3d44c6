package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.worker.manifest.FailureLog;
import org.junit.jupiter.api.Test;

/** A plan's findings: committed as the checkpoint passes them, then numbered by their counter for the plan's logs. */
class PlanStateTest {

    @Test
    void findingsWaitForTheCheckpointThenEachIsNumberedByItsOwnCounter() {
        PlanState state = new PlanState(null);
        state.found("a/link", "SYMLINK_SKIPPED", "not followed", false);
        state.found("b", "ACCESS_DENIED", "directory cannot be listed", true);
        state.found("c/fifo", "SPECIAL_FILE", "a FIFO", false);
        assertThat(state.unstoredFindings()).as("none is committed before the checkpoint passes it").isZero();

        state.advanceTo("b");

        assertThat(state.takeUnstoredLeftOut()).extracting(FailureLog.Numbered::n, n -> n.failure().path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "a/link"));
        assertThat(state.takeUnstoredFailures()).extracting(FailureLog.Numbered::n, n -> n.failure().path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "b"));
        assertThat(state.unstoredFindings()).as("taken once").isZero();

        state.commitAll();

        assertThat(state.takeUnstoredLeftOut()).extracting(FailureLog.Numbered::n).containsExactly(2L);
    }

    @Test
    void aResumedPlanNumbersOnFromItsRecordedCountsAndItsStatusKeepsOnlyTheFirstFindings() {
        MigrationTaskStatus recorded = new MigrationTaskStatus();
        recorded.progress = new MigrationTaskStatus.Progress();
        recorded.progress.skipped = 70;
        recorded.progress.checkpoint = "m";
        PlanState state = new PlanState(recorded);
        for (int i = 0; i < 3; i++) {
            state.found("n/link" + i, "SYMLINK_SKIPPED", "not followed", false);
        }

        state.commitAll();

        assertThat(state.takeUnstoredLeftOut()).extracting(FailureLog.Numbered::n).containsExactly(71L, 72L, 73L);
        MigrationTaskStatus written = new MigrationTaskStatus();
        state.writeTo(written);
        assertThat(written.progress.skipped).isEqualTo(73);
        assertThat(written.skippedEntries).hasSize(3);
    }
}
