package dev.ferry.operator.assignment;

import static dev.ferry.operator.TestObjects.heldBy;
import static dev.ferry.operator.TestObjects.pod;
import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.assignment.TakeBack.Count;
import dev.ferry.operator.liveness.LeaseRenewals;
import dev.ferry.operator.liveness.WorkerClocks;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What taking a task back from a holder that died, was drained or stalled costs the task. */
class TakeBackTest {
    private static final Instant HANDED_OUT = Instant.parse("2026-01-01T10:00:00Z");
    private static final Duration GRACE = Duration.ofMinutes(2);
    private static final int MAX_ATTEMPTS = 3;

    @Test
    void aHolderThatMovedTheTaskForwardCostsATakebackHoweverLongItHeldIt() {
        MigrationTask task = held(TaskPhase.Running);
        task.getStatus().progressTime = HANDED_OUT.plusSeconds(400).toString();

        assertThat(TakeBack.judge(task, HANDED_OUT.plusSeconds(3600), GRACE, MAX_ATTEMPTS, 0, WorkerClocks.AS_WRITTEN)).isEqualTo(Count.MOVED_FORWARD);
    }

    @Test
    void progressIsJudgedOnTheOperatorsClockWhateverTheHoldersClockSays() {
        MigrationTask task = held(TaskPhase.Running);
        Duration lag = Duration.ofMinutes(10); // the holder's node is ten minutes behind the operator's
        task.getStatus().progressTime = HANDED_OUT.plusSeconds(400).minus(lag).toString();
        LeaseRenewals renewals = new LeaseRenewals();
        renewals.seenRenewedAt(new LeaseBuilder().withNewMetadata().withName("w1").endMetadata()
                .withNewSpec().withHolderIdentity("w1-uid").withLeaseDurationSeconds(15)
                .withRenewTime(HANDED_OUT.plusSeconds(398).minus(lag).atZone(ZoneOffset.UTC)).endSpec().build(),
                HANDED_OUT.plusSeconds(398));

        assertThat(TakeBack.judge(task, HANDED_OUT.plusSeconds(3600), GRACE, MAX_ATTEMPTS, 0, WorkerClocks.AS_WRITTEN))
                .as("taken at its word, the holder moved nothing since the hand-out").isEqualTo(Count.NO_PROGRESS);
        assertThat(TakeBack.judge(task, HANDED_OUT.plusSeconds(3600), GRACE, MAX_ATTEMPTS, 0, renewals))
                .isEqualTo(Count.MOVED_FORWARD);
    }

    @Test
    void progressOfAnEarlierHolderDoesNotCountForThisOne() {
        MigrationTask task = held(TaskPhase.Running);
        task.getStatus().progressTime = HANDED_OUT.minusSeconds(5).toString();

        assertThat(TakeBack.judge(task, HANDED_OUT.plusSeconds(600), GRACE, MAX_ATTEMPTS, 0, WorkerClocks.AS_WRITTEN)).isEqualTo(Count.NO_PROGRESS);
        assertThat(Count.NO_PROGRESS.usesAnAttempt()).isTrue();
    }

    @Test
    void aHolderThatNeverStartedThePrefetchedTaskCostsATakeback() {
        assertThat(TakeBack.judge(held(TaskPhase.Assigned), HANDED_OUT.plusSeconds(3600), GRACE, MAX_ATTEMPTS, 0, WorkerClocks.AS_WRITTEN))
                .isEqualTo(Count.NOT_STARTED);
    }

    @Test
    void aHolderKilledRightAfterTheHandOutHadNoChanceButOnlyThreeTimesMaxAttemptsInARow() {
        MigrationTask task = held(TaskPhase.Running);

        assertThat(TakeBack.judge(task, HANDED_OUT.plus(GRACE).minusSeconds(1), GRACE, MAX_ATTEMPTS, 0, WorkerClocks.AS_WRITTEN))
                .isEqualTo(Count.BRIEF_HOLD);
        assertThat(TakeBack.judge(task, HANDED_OUT.plus(GRACE), GRACE, MAX_ATTEMPTS, 0, WorkerClocks.AS_WRITTEN)).isEqualTo(Count.NO_PROGRESS);

        task.getStatus().takebacksWithoutProgress = 3 * MAX_ATTEMPTS - 1;
        assertThat(TakeBack.judge(task, HANDED_OUT.plusSeconds(5), GRACE, MAX_ATTEMPTS, 0, WorkerClocks.AS_WRITTEN))
                .as("churn on a busy cluster can kill several holders in a row before they move the task")
                .isEqualTo(Count.BRIEF_HOLD);
        task.getStatus().takebacksWithoutProgress = 3 * MAX_ATTEMPTS;
        assertThat(TakeBack.judge(task, HANDED_OUT.plusSeconds(5), GRACE, MAX_ATTEMPTS, 0, WorkerClocks.AS_WRITTEN))
                .as("a file that kills its holder at once must still end").isEqualTo(Count.NO_PROGRESS);
    }

    @Test
    void aQuickDeathWhileOtherWorkersOfTheJobAreReplacedTooSaysNothingOfTheTask() {
        MigrationTask task = held(TaskPhase.Running);
        task.getStatus().takebacksWithoutProgress = 3 * MAX_ATTEMPTS;

        assertThat(TakeBack.judge(task, HANDED_OUT.plusSeconds(5), GRACE, MAX_ATTEMPTS, 1, WorkerClocks.AS_WRITTEN))
                .as("only the holder's own replacement started: the holder died alone").isEqualTo(Count.NO_PROGRESS);
        assertThat(TakeBack.judge(task, HANDED_OUT.plusSeconds(5), GRACE, MAX_ATTEMPTS, 2, WorkerClocks.AS_WRITTEN))
                .as("another worker of the job died meanwhile: churn").isEqualTo(Count.BRIEF_HOLD_AMID_CHURN);
        assertThat(Count.BRIEF_HOLD_AMID_CHURN.usesAnAttempt()).isFalse();
        assertThat(TakeBack.judge(task, HANDED_OUT.plus(GRACE), GRACE, MAX_ATTEMPTS, 2, WorkerClocks.AS_WRITTEN))
                .as("a long hold without progress is an attempt, churn or not").isEqualTo(Count.NO_PROGRESS);
    }

    @Test
    void backsOffLikeTheWorkerDoublingAndCapped() {
        assertThat(TakeBack.backoffAfter(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(TakeBack.backoffAfter(3)).isEqualTo(Duration.ofSeconds(40));
        assertThat(TakeBack.backoffAfter(30)).isEqualTo(Duration.ofMinutes(5));
        assertThat(TakeBack.human(Duration.ofSeconds(95))).isEqualTo("1m35s");
    }

    private static MigrationTask held(TaskPhase phase) {
        MigrationTask task = heldBy(task("j-plan-00001", TaskType.Copy, phase), pod("w1", true, HANDED_OUT));
        task.getStatus().assignment.since = HANDED_OUT.toString();
        return task;
    }
}
