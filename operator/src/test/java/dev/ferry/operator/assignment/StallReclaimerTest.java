package dev.ferry.operator.assignment;

import static dev.ferry.operator.TestObjects.heldBy;
import static dev.ferry.operator.TestObjects.pod;
import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When a Running task counts as stalled: its work stands still, not merely slow. */
class StallReclaimerTest {
    private static final Instant HANDED_OUT = Instant.parse("2026-01-01T10:00:00Z");
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @Test
    void aSlowUploadThatKeepsMovingIsNoStall() {
        MigrationTask task = running();
        Instant now = HANDED_OUT.plus(Duration.ofHours(2));
        task.getStatus().progressTime = now.minusSeconds(30).toString(); // bytes of one huge file, read and sent

        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, now)).isEmpty();
    }

    @Test
    void aTaskWhoseProgressStoodStillLongerThanTheTimeoutIsStalled() {
        MigrationTask task = running();
        Instant lastMove = HANDED_OUT.plusSeconds(60);
        task.getStatus().progressTime = lastMove.toString();

        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, lastMove.plus(TIMEOUT))).isEmpty();
        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, lastMove.plus(TIMEOUT).plusSeconds(1))).contains(lastMove);
    }

    @Test
    void withoutProgressInThisHoldingTheHandOutIsTheLastMove() {
        MigrationTask task = running();
        task.getStatus().progressTime = HANDED_OUT.minus(Duration.ofHours(1)).toString(); // an earlier holder's

        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, HANDED_OUT.plus(TIMEOUT).minusSeconds(1))).isEmpty();
        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, HANDED_OUT.plus(TIMEOUT).plusSeconds(1))).contains(HANDED_OUT);
    }

    @Test
    void aTaskWaitingForKafkaOrNotYetStartedIsNotStalled() {
        MigrationTask waiting = running();
        waiting.getStatus().progress.eventsPending = 3L;
        MigrationTask prefetched = running();
        prefetched.getStatus().phase = TaskPhase.Assigned;
        Instant late = HANDED_OUT.plus(Duration.ofHours(1));

        assertThat(StallReclaimer.stalledSince(waiting, TIMEOUT, late)).isEmpty();
        assertThat(StallReclaimer.stalledSince(prefetched, TIMEOUT, late)).isEmpty();
    }

    private static MigrationTask running() {
        MigrationTask task = heldBy(task("j-plan-00001", TaskType.Copy, TaskPhase.Running), pod("w1", true, HANDED_OUT));
        task.getStatus().assignment.since = HANDED_OUT.toString();
        return task;
    }
}
