package dev.ferry.operator.assignment;

import static dev.ferry.operator.TestObjects.heldBy;
import static dev.ferry.operator.TestObjects.job;
import static dev.ferry.operator.TestObjects.pod;
import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class TaskAssignerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void aPassHandsOutWhatHasRoomAndCountsEveryOtherPendingTaskAsWaiting() {
        Pod a = pod("a", true, NOW.minusSeconds(60));
        Pod b = pod("b", true, NOW.minusSeconds(60));
        List<MigrationTask> tasks = new ArrayList<>();
        tasks.add(stored(heldBy(task("j-plan-00001", TaskType.Copy, TaskPhase.Running), a)));
        tasks.add(stored(heldBy(task("j-plan-00002", TaskType.Copy, TaskPhase.Running), b)));
        for (int n = 3; n <= 7; n++) {
            tasks.add(stored(task("j-plan-0000" + n, TaskType.Copy, TaskPhase.Pending)));
        }
        tasks.add(stored(task("j-plan-sub", TaskType.Plan, TaskPhase.Pending)));
        JobState state = new JobState(job("j"), tasks, List.of(a, b), null, NOW);
        // a prefetch of 2: one more Copy task fits on each worker, and either may take the Plan task
        TaskAssigner assigner = new TaskAssigner(new TaskStatusWriter(client, (written, previous) -> { }), 2,
                new WorkerLiveness(Duration.ofMinutes(1), Duration.ofMinutes(10)), Duration.ofSeconds(30));

        TaskAssigner.Outcome outcome = assigner.assign(state);

        assertThat(outcome.assigned()).isEqualTo(3);
        assertThat(outcome.waiting()).as("the Copy tasks no worker had room for").isEqualTo(3);
        assertThat(state.tasks()).filteredOn(t -> t.getStatus().phase == TaskPhase.Assigned)
                .extracting(t -> t.getMetadata().getName()).containsExactly("j-plan-00003", "j-plan-00004", "j-plan-sub");
        assertThat(state.tasks()).filteredOn(t -> t.getStatus().phase == TaskPhase.Pending)
                .extracting(t -> t.getMetadata().getName()).containsExactly("j-plan-00005", "j-plan-00006", "j-plan-00007");
    }

    private static MigrationTask stored(MigrationTask task) {
        task.getMetadata().setResourceVersion(null);
        return client.resources(MigrationTask.class).inNamespace("ns").resource(task).create();
    }

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
    void aNotReadyWorkerIsHandedNothing() {
        // (how long it may keep what it holds is WorkerLivenessTest's)
        assertThat(WorkerPods.canTakeTasks(pod("a", false, NOW))).isFalse();
        assertThat(WorkerPods.canTakeTasks(pod("a", true, NOW))).isTrue();
    }
}
