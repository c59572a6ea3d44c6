package dev.ferry.operator.assignment;

import static dev.ferry.operator.TestObjects.heldBy;
import static dev.ferry.operator.TestObjects.pod;
import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.liveness.LeaseRenewals;
import dev.ferry.operator.liveness.WorkerClocks;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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

        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, now, WorkerClocks.AS_WRITTEN)).isEmpty();
    }

    @Test
    void aTaskWhoseProgressStoodStillLongerThanTheTimeoutIsStalled() {
        MigrationTask task = running();
        Instant lastMove = HANDED_OUT.plusSeconds(60);
        task.getStatus().progressTime = lastMove.toString();

        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, lastMove.plus(TIMEOUT), WorkerClocks.AS_WRITTEN)).isEmpty();
        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, lastMove.plus(TIMEOUT).plusSeconds(1), WorkerClocks.AS_WRITTEN)).contains(lastMove);
    }

    @Test
    void withoutProgressInThisHoldingTheHandOutIsTheLastMove() {
        MigrationTask task = running();
        task.getStatus().progressTime = HANDED_OUT.minus(Duration.ofHours(1)).toString(); // an earlier holder's

        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, HANDED_OUT.plus(TIMEOUT).minusSeconds(1), WorkerClocks.AS_WRITTEN)).isEmpty();
        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, HANDED_OUT.plus(TIMEOUT).plusSeconds(1), WorkerClocks.AS_WRITTEN)).contains(HANDED_OUT);
    }

    @Test
    void aTaskWaitingForKafkaOrNotYetStartedIsNotStalled() {
        MigrationTask waiting = running();
        waiting.getStatus().progress.eventsPending = 3L;
        MigrationTask prefetched = running();
        prefetched.getStatus().phase = TaskPhase.Assigned;
        Instant late = HANDED_OUT.plus(Duration.ofHours(1));

        assertThat(StallReclaimer.stalledSince(waiting, TIMEOUT, late, WorkerClocks.AS_WRITTEN)).isEmpty();
        assertThat(StallReclaimer.stalledSince(prefetched, TIMEOUT, late, WorkerClocks.AS_WRITTEN)).isEmpty();
    }

    @Test
    void aHolderWhoseClockLagsTenMinutesIsNotStalledWhileItMoves() {
        MigrationTask task = running();
        Instant now = HANDED_OUT.plus(Duration.ofHours(1));
        Duration lag = Duration.ofMinutes(10);
        task.getStatus().progressTime = now.minus(lag).minusSeconds(20).toString(); // 20 s ago, by the worker's clock
        LeaseRenewals renewals = new LeaseRenewals();
        renewals.seenRenewedAt(lease("w1-uid", now.minus(lag).minusSeconds(2)), now.minusSeconds(2)); // its Lease shows the lag

        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, now, WorkerClocks.AS_WRITTEN))
                .as("taken at its word, its progress is ten minutes old").isPresent();
        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, now, renewals)).isEmpty();
        assertThat(StallReclaimer.stalledSince(task, TIMEOUT, now.plus(TIMEOUT).minusSeconds(20).plusSeconds(1), renewals))
                .as("and stalled when it stands still for the timeout on the operator's clock").isPresent();
    }

    private static Lease lease(String holder, Instant renewTime) {
        return new LeaseBuilder().withNewMetadata().withName("w1").withResourceVersion("1").endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15)
                .withRenewTime(renewTime.atZone(ZoneOffset.UTC)).endSpec().build();
    }

    private static MigrationTask running() {
        MigrationTask task = heldBy(task("j-plan-00001", TaskType.Copy, TaskPhase.Running), pod("w1", true, HANDED_OUT));
        task.getStatus().assignment.since = HANDED_OUT.toString();
        return task;
    }
}
