package dev.ferry.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the worker's cache tells planning about room: unfinished copies, and Succeeded ones still stored. */
class TaskDispatcherCountsTest {
    private final List<MigrationTask> tasks = List.of(
            task(TaskType.Plan, TaskPhase.Running),
            task(TaskType.Plan, TaskPhase.Succeeded),
            task(TaskType.Copy, null),
            task(TaskType.Copy, TaskPhase.Pending),
            task(TaskType.Copy, TaskPhase.Assigned),
            task(TaskType.Parts, TaskPhase.Running),
            task(TaskType.Copy, TaskPhase.Succeeded),
            task(TaskType.Copy, TaskPhase.Succeeded),
            task(TaskType.Parts, TaskPhase.Succeeded),
            task(TaskType.Copy, TaskPhase.Failed),
            task(TaskType.Audit, TaskPhase.Succeeded));

    @Test
    void unfinishedCountsEveryTaskButPlansThatHasNotFinished() {
        assertThat(TaskDispatcher.unfinishedCopyTasks(tasks)).isEqualTo(4);
    }

    @Test
    void succeededCountsCopyAndPartsTasksOnly() {
        // plans and the audit are not folded as copies are; Failed tasks stay as the failure report
        assertThat(TaskDispatcher.succeededCopyTasks(tasks)).isEqualTo(3);
    }

    private static MigrationTask task(TaskType type, TaskPhase phase) {
        MigrationTask task = new MigrationTask();
        task.setSpec(new MigrationTaskSpec());
        task.getSpec().type = type;
        if (phase != null) {
            task.setStatus(new MigrationTaskStatus());
            task.getStatus().phase = phase;
        }
        return task;
    }
}
