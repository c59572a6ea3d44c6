package dev.ferry.operator.state;

import static dev.ferry.operator.TestObjects.job;
import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What a reconcile knows of a job's tasks: in name order, with its own writes put back as it goes. */
class JobStateTest {

    @Test
    void listsTheTasksInNameOrderWhateverOrderTheCacheGaveThem() {
        List<MigrationTask> observed = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            observed.add(task(String.format("job-plan-%05d", i), TaskType.Copy, TaskPhase.Pending));
        }
        observed.add(task("job-plan", TaskType.Plan, TaskPhase.Running));
        observed.add(task("job-audit", TaskType.Audit, TaskPhase.Pending));
        List<MigrationTask> shuffled = new ArrayList<>(observed);
        Collections.shuffle(shuffled, new Random(15));

        JobState state = state(shuffled);

        assertThat(names(state.tasks())).isSorted().hasSize(502).startsWith("job-audit", "job-plan", "job-plan-00001");
        assertThat(state.task("job-plan-00250")).containsSame(observed.get(249));
        assertThat(state.task("job-plan-00501")).isEmpty();
    }

    @Test
    void aWrittenTaskReplacesTheObservedOneInItsPlace() {
        JobState state = state(List.of(task("t-3", TaskType.Copy, TaskPhase.Pending),
                task("t-1", TaskType.Copy, TaskPhase.Pending), task("t-2", TaskType.Copy, TaskPhase.Pending)));
        state.tasks();
        MigrationTask written = task("t-2", TaskType.Copy, TaskPhase.Assigned);

        state.put(written);

        assertThat(state.tasks()).extracting(t -> t.getMetadata().getName()).containsExactly("t-1", "t-2", "t-3");
        assertThat(state.tasks().get(1)).isSameAs(written);
        assertThat(state.task("t-2")).containsSame(written);
    }

    @Test
    void aCreatedTaskTakesItsPlaceByName() {
        JobState state = state(List.of(task("t-3", TaskType.Copy, TaskPhase.Pending),
                task("t-1", TaskType.Copy, TaskPhase.Pending)));
        state.tasks();
        MigrationTask created = task("t-2", TaskType.Copy, TaskPhase.Pending);

        state.put(created);

        assertThat(names(state.tasks())).containsExactly("t-1", "t-2", "t-3");
        assertThat(state.tasks().get(1)).isSameAs(created);
    }

    @Test
    void aListHandedOutStaysAsItWasWhenTasksAreWrittenLater() {
        MigrationTask observed = task("t-2", TaskType.Copy, TaskPhase.Pending);
        JobState state = state(List.of(task("t-1", TaskType.Copy, TaskPhase.Pending), observed));
        List<MigrationTask> before = state.tasks();

        state.put(task("t-2", TaskType.Copy, TaskPhase.Assigned));
        state.put(task("t-0", TaskType.Copy, TaskPhase.Pending));

        assertThat(before).hasSize(2).element(1).isSameAs(observed);
        assertThat(names(state.tasks())).containsExactly("t-0", "t-1", "t-2");
        assertThatThrownBy(() -> before.set(0, observed)).as("the list is the state's, not the caller's")
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aWriteBeforeTheFirstListingIsListed() {
        JobState state = state(List.of(task("t-1", TaskType.Copy, TaskPhase.Pending)));
        MigrationTask written = task("t-1", TaskType.Copy, TaskPhase.Assigned);

        state.put(written);

        assertThat(state.tasks()).containsExactly(written);
    }

    private static JobState state(List<MigrationTask> tasks) {
        return new JobState(job("job"), tasks, List.of(), null, Instant.EPOCH);
    }

    private static List<String> names(List<MigrationTask> tasks) {
        return tasks.stream().map(t -> t.getMetadata().getName()).toList();
    }
}
