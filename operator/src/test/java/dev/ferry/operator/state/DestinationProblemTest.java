package dev.ferry.operator.state;

import static dev.ferry.operator.TestObjects.task;
import static dev.ferry.operator.liveness.WorkerClocks.AS_WRITTEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.liveness.WorkerClocks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A destination problem stands while the newest store error of an unfinished task is newer than any progress. */
class DestinationProblemTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void standsWhileTheNewestStoreErrorIsNewerThanTheLastProgressOfAnyTask() {
        MigrationTask moved = task("j-plan-00001", TaskType.Copy, TaskPhase.Succeeded);
        moved.getStatus().progressTime = T0.toString();
        MigrationTask refused = withStoreError("j-plan-00002", "S3_NO_SUCH_BUCKET", T0.plusSeconds(5));
        MigrationTask older = withStoreError("j-plan-00003", "S3_ACCESS_DENIED", T0.plusSeconds(1));

        assertThat(DestinationProblem.of(List.of(moved, refused, older), AS_WRITTEN)).hasValueSatisfying(problem -> {
            assertThat(problem.code()).isEqualTo("S3_NO_SUCH_BUCKET");
            assertThat(problem.message()).isEqualTo("The specified bucket does not exist");
            assertThat(problem.task()).isEqualTo("j-plan-00002");
            assertThat(problem.quota()).isFalse();
        });

        MigrationTask probe = task("j-plan-00004", TaskType.Copy, TaskPhase.Running);
        probe.getStatus().progressTime = T0.plusSeconds(6).toString();
        assertThat(DestinationProblem.of(List.of(moved, refused, older, probe), AS_WRITTEN)).as("a probe got through").isEmpty();
    }

    @Test
    void ignoresTheStoreErrorsOfFinishedTasksAndKnowsAFullStore() {
        MigrationTask finished = withStoreError("j-plan-00001", "S3_NO_SUCH_BUCKET", T0);
        finished.getStatus().phase = TaskPhase.Succeeded;
        assertThat(DestinationProblem.of(List.of(finished), AS_WRITTEN)).isEmpty();

        assertThat(DestinationProblem.of(List.of(withStoreError("j-plan-00002", "S3_QUOTA_EXCEEDED", T0)), AS_WRITTEN))
                .hasValueSatisfying(problem -> assertThat(problem.quota()).isTrue());
    }

    @Test
    void comparesTheWorkersTimesOnTheOperatorsClock() {
        // The worker that met the error runs ten minutes ahead; the probe's holder is on time.
        WorkerClocks clocks = (podUid, time) -> "ahead-uid".equals(podUid) ? time.minus(Duration.ofMinutes(10)) : time;
        MigrationTask refused = withStoreError("j-plan-00001", "S3_NO_SUCH_BUCKET", T0.plus(Duration.ofMinutes(10)));
        refused.getStatus().assignment = new MigrationTaskStatus.Assignment();
        refused.getStatus().assignment.podUid = "ahead-uid"; // a holder that hands back stays in the assignment
        assertThat(DestinationProblem.of(List.of(refused), clocks)).hasValueSatisfying(problem ->
                assertThat(problem.time()).as("shown as the holder reported it").isEqualTo(T0.plus(Duration.ofMinutes(10))));

        MigrationTask probe = task("j-plan-00002", TaskType.Copy, TaskPhase.Running);
        probe.getStatus().progressTime = T0.plusSeconds(30).toString();
        assertThat(DestinationProblem.of(List.of(refused, probe), clocks))
                .as("the probe 30 s later got through, not ten minutes later").isEmpty();
        probe.getStatus().progressTime = T0.minusSeconds(30).toString();
        assertThat(DestinationProblem.of(List.of(refused, probe), clocks)).as("progress before the error").isPresent();
    }

    @Test
    void anErrorWithoutAReadableTimeStandsOnlyWhileNothingEverMoved() {
        MigrationTask refused = withStoreError("j-plan-00001", "S3_NO_SUCH_BUCKET", T0);
        refused.getStatus().storeError.time = "soon";
        assertThat(DestinationProblem.of(List.of(refused), AS_WRITTEN)).isPresent();

        MigrationTask moved = task("j-plan-00002", TaskType.Copy, TaskPhase.Running);
        moved.getStatus().progressTime = T0.toString();
        assertThat(DestinationProblem.of(List.of(refused, moved), AS_WRITTEN)).isEmpty();
    }

    private static MigrationTask withStoreError(String name, String code, Instant time) {
        MigrationTask task = task(name, TaskType.Copy, TaskPhase.Pending);
        task.getStatus().storeError = new MigrationTaskStatus.StoreError();
        task.getStatus().storeError.code = code;
        task.getStatus().storeError.message = code.equals("S3_NO_SUCH_BUCKET") ? "The specified bucket does not exist" : "denied";
        task.getStatus().storeError.time = time.toString();
        return task;
    }
}
