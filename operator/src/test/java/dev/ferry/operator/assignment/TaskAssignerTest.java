package dev.ferry.operator.assignment;

import static dev.ferry.operator.TestObjects.heldBy;
import static dev.ferry.operator.TestObjects.pod;
import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.liveness.WorkerPods;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskAssignerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void handsOutPlanTasksFirstThenTheRestInNameOrder() {
        List<MigrationTask> queue = TaskAssigner.queue(List.of(
                task("j-plan-00002", TaskType.Copy, TaskPhase.Pending),
                task("j-plan-00001", TaskType.Copy, TaskPhase.Pending),
                task("j-plan-00003", TaskType.Copy, TaskPhase.Running),
                task("j-plan-sub", TaskType.Plan, TaskPhase.Pending)));

        assertThat(queue).extracting(t -> t.getMetadata().getName())
                .containsExactly("j-plan-sub", "j-plan-00001", "j-plan-00002");
    }

    @Test
    void picksTheReadyWorkerWithTheFewestActiveCopiesBelowThePrefetch() {
        Pod busy = pod("a", true, NOW);
        Pod idle = pod("b", true, NOW);
        Map<String, TaskAssigner.Load> load = TaskAssigner.activeTasksByWorker(List.of(
                heldBy(task("t1", TaskType.Copy, TaskPhase.Running), busy),
                heldBy(task("t2", TaskType.Copy, TaskPhase.Succeeded), idle)));

        assertThat(load).containsExactly(Map.entry("a-uid", new TaskAssigner.Load(1, 0)));
        assertThat(TaskAssigner.pickWorker(List.of(busy, idle), load, 2, false)).contains(idle);
        assertThat(TaskAssigner.pickWorker(List.of(busy), Map.of("a-uid", new TaskAssigner.Load(2, 0)), 2, false))
                .isEmpty();
        assertThat(TaskAssigner.pickWorker(List.of(idle, busy), Map.of(), 2, false)).as("ties go by name").contains(busy);
    }

    @Test
    void aPlanTaskDoesNotTakeAWorkersPrefetchOfCopiesButAWorkerHoldsOnePlanAtMost() {
        Pod planning = pod("a", true, NOW);
        Pod other = pod("b", true, NOW);
        Map<String, TaskAssigner.Load> load = TaskAssigner.activeTasksByWorker(List.of(
                heldBy(task("j-plan", TaskType.Plan, TaskPhase.Running), planning),
                heldBy(task("j-plan-00001", TaskType.Copy, TaskPhase.Running), planning)));

        assertThat(load).containsExactly(Map.entry("a-uid", new TaskAssigner.Load(1, 1)));
        assertThat(TaskAssigner.pickWorker(List.of(planning), load, 2, false))
                .as("a second copy beside the plan").contains(planning);
        assertThat(TaskAssigner.pickWorker(List.of(planning), load, TaskAssigner.PLANS_PER_WORKER, true))
                .as("no second plan").isEmpty();
        assertThat(TaskAssigner.pickWorker(List.of(planning, other), load, TaskAssigner.PLANS_PER_WORKER, true))
                .contains(other);
        assertThat(TaskAssigner.pickWorker(List.of(planning, other), Map.of("a-uid", new TaskAssigner.Load(0, 0),
                        "b-uid", new TaskAssigner.Load(2, 0)), TaskAssigner.PLANS_PER_WORKER, true))
                .as("a plan goes where fewer copies run when no worker plans").contains(planning);
    }

    @Test
    void aNotReadyWorkerHoldsItsTasksOnlyThroughTheGrace() {
        Pod notReady = pod("a", false, NOW);
        Duration grace = Duration.ofSeconds(30);

        assertThat(WorkerPods.canTakeTasks(notReady)).isFalse();
        assertThat(WorkerPods.canHoldTasks(notReady, NOW.plusSeconds(30), grace)).isTrue();
        assertThat(WorkerPods.canHoldTasks(notReady, NOW.plusSeconds(31), grace)).isFalse();
    }
}
