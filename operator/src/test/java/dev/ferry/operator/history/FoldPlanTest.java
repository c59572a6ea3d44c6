package dev.ferry.operator.history;

import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.Ferry;
import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.status.FailureSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FoldPlanTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void foldsTheOldestSucceededTasksBeyondTheHistoryLimit() {
        List<MigrationTask> tasks = List.of(
                finished("j-plan", TaskType.Plan, TaskPhase.Succeeded, 0),
                finished("j-plan-00003", TaskType.Copy, TaskPhase.Succeeded, 30),
                finished("j-plan-00001", TaskType.Copy, TaskPhase.Succeeded, 10),
                finished("j-plan-00002", TaskType.Copy, TaskPhase.Succeeded, 20),
                finished("j-plan-00004", TaskType.Copy, TaskPhase.Succeeded, 40));

        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 2, 100, List.of())))
                .containsExactly("j-plan", "j-plan-00001", "j-plan-00002");
        assertThat(FoldPlan.nextBatch(tasks, Set.of(), 5, 100, List.of())).isEmpty();
    }

    @Test
    void neverFoldsFailedOrUnfinishedTasks() {
        List<MigrationTask> tasks = List.of(
                finished("j-plan", TaskType.Plan, TaskPhase.Running, 0),
                finished("j-plan-00001", TaskType.Copy, TaskPhase.Failed, 1),
                finished("j-plan-00002", TaskType.Copy, TaskPhase.Pending, 2),
                finished("j-plan-00003", TaskType.Copy, TaskPhase.Assigned, 3),
                finished("j-plan-00004", TaskType.Copy, TaskPhase.Succeeded, 4));
        tasks.get(0).getStatus().progress.tasksCreated = 4;

        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 0, 100, List.of()))).containsExactly("j-plan-00004");
    }

    @Test
    void keepsACopyTaskThatItsRunningPlanHasNotRecordedYet() {
        // The plan created 00003 but crashed before recording it: its next run creates 00003 again.
        MigrationTask plan = finished("j-plan", TaskType.Plan, TaskPhase.Pending, 0);
        plan.getStatus().progress.tasksCreated = 2;
        List<MigrationTask> tasks = List.of(plan,
                finished("j-plan-00001", TaskType.Copy, TaskPhase.Succeeded, 1),
                finished("j-plan-00002", TaskType.Copy, TaskPhase.Succeeded, 2),
                finished("j-plan-00003", TaskType.Copy, TaskPhase.Succeeded, 3));

        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 0, 100, List.of()))).containsExactly("j-plan-00001", "j-plan-00002");

        plan.getStatus().phase = TaskPhase.Succeeded; // a finished plan creates nothing more
        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 0, 100, List.of())))
                .containsExactly("j-plan", "j-plan-00001", "j-plan-00002", "j-plan-00003");
    }

    @Test
    void findsThePlanByItsAnnotationAndKeepsTasksItCannotNumberUntilThePlanEnds() {
        MigrationTask child = finished("j-plan-sub", TaskType.Plan, TaskPhase.Running, 0);
        child.getStatus().progress.tasksCreated = 5;
        MigrationTask parts = finished("j-plan-sub-00002-parts-1", TaskType.Parts, TaskPhase.Succeeded, 1);
        MigrationTask copy = finished("j-plan-sub-00003", TaskType.Copy, TaskPhase.Succeeded, 2);
        for (MigrationTask task : List.of(parts, copy)) {
            task.getMetadata().setAnnotations(Map.of(Ferry.PLAN_ANNOTATION, "j-plan-sub"));
        }
        List<MigrationTask> tasks = List.of(child, parts, copy);

        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 0, 100, List.of()))).containsExactly("j-plan-sub-00003");

        child.getStatus().phase = TaskPhase.Succeeded;
        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 0, 100, List.of())))
                .containsExactly("j-plan-sub", "j-plan-sub-00002-parts-1", "j-plan-sub-00003");
    }

    @Test
    void takesAtMostOneBatchAndSkipsTasksAlreadyBeingDeleted() {
        List<MigrationTask> tasks = new ArrayList<>();
        for (int n = 1; n <= 10; n++) {
            tasks.add(finished("j-plan-%05d".formatted(n), TaskType.Copy, TaskPhase.Succeeded, n));
        }

        assertThat(names(FoldPlan.nextBatch(tasks, Set.of("j-plan-00001", "j-plan-00002"), 3, 4, List.of())))
                .containsExactly("j-plan-00003", "j-plan-00004", "j-plan-00005", "j-plan-00006");
    }

    @Test
    void foldsASucceededTaskWithFailedFilesOnlyOnceTheJobsSampleShowsThem() {
        MigrationTask withFailure = finished("j-plan-00001", TaskType.Copy, TaskPhase.Succeeded, 1);
        withFailure.getStatus().progress.failed = 1;
        FileFailure failure = new FileFailure("a/locked", "ACCESS_DENIED", "denied");
        withFailure.getStatus().failures = List.of(failure);
        List<MigrationTask> tasks = List.of(withFailure, finished("j-plan-00002", TaskType.Copy, TaskPhase.Succeeded, 2));

        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 0, 100, List.of())))
                .as("its failure is not in the job's sample yet").containsExactly("j-plan-00002");
        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 0, 100,
                List.of(new FileFailure("a/locked", "ACCESS_DENIED", "denied")))))
                .containsExactly("j-plan-00001", "j-plan-00002");
        List<FileFailure> full = IntStream.range(0, FailureSample.BOUND)
                .mapToObj(i -> new FileFailure("other-" + i, "SOURCE_CHANGED", "m")).toList();
        assertThat(names(FoldPlan.nextBatch(tasks, Set.of(), 0, 100, full)))
                .as("a full sample has no room for it anyway: its count is what folds").containsExactly("j-plan-00001", "j-plan-00002");

        MigrationJobStatus.Folded folded = new MigrationJobStatus.Folded();
        FoldPlan.add(folded, withFailure);
        assertThat(folded.files.failed).isEqualTo(1);
    }

    @Test
    void addsPlanTotalsAndCopyOutcomesToTheFoldedCounters() {
        MigrationTask plan = finished("j-plan", TaskType.Plan, TaskPhase.Succeeded, 0);
        plan.getStatus().progress.total = 7L;
        plan.getStatus().progress.totalBytes = 700L;
        MigrationTask copy = finished("j-plan-00001", TaskType.Copy, TaskPhase.Succeeded, 1);
        copy.getStatus().progress.copied = 4;
        copy.getStatus().progress.skipped = 3;
        copy.getStatus().progress.bytes = 400;

        MigrationJobStatus.Folded folded = new MigrationJobStatus.Folded();
        FoldPlan.add(folded, plan);
        FoldPlan.add(folded, copy);

        assertThat(folded.tasks).isEqualTo(2);
        assertThat(folded.plans).isEqualTo(1);
        assertThat(folded.files.total).isEqualTo(7);
        assertThat(folded.files.copied).isEqualTo(4);
        assertThat(folded.files.skipped).isEqualTo(3);
        assertThat(folded.bytes.total).isEqualTo(700);
        assertThat(folded.bytes.copied).isEqualTo(400);
    }

    private static MigrationTask finished(String name, TaskType type, TaskPhase phase, int secondsAfterStart) {
        MigrationTask task = task(name, type, phase);
        task.getStatus().heartbeat = T0.plusSeconds(secondsAfterStart).toString();
        return task;
    }

    private static List<String> names(List<MigrationTask> tasks) {
        return tasks.stream().map(t -> t.getMetadata().getName()).toList();
    }
}
