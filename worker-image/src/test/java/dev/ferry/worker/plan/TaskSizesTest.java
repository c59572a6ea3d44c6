package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.TasksSpec;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TaskSizesTest {

    @Test
    void aPlansFirstTasksDoubleFrom500UpToMaxFiles() {
        TaskSizes sizes = new TaskSizes(TasksSpec.DEFAULT_MAX_FILES);

        assertThat(IntStream.rangeClosed(1, 7).map(sizes::maxFilesOf).toArray())
                .containsExactly(500, 1000, 2000, 4000, 5000, 5000, 5000);
    }

    @Test
    void aMaxFilesBelowTheFirstSizeHoldsForEveryTask() {
        TaskSizes sizes = new TaskSizes(100);

        assertThat(IntStream.rangeClosed(1, 4).map(sizes::maxFilesOf).toArray()).containsOnly(100);
    }

    @Test
    void theSizeOfAFarTaskDoesNotOverflow() {
        TaskSizes sizes = new TaskSizes(Integer.MAX_VALUE);

        assertThat(sizes.maxFilesOf(1_000_000)).isEqualTo(500 << 20);
        assertThat(sizes.maxFilesOf(Integer.MAX_VALUE)).isPositive();
    }

    @Test
    void noTaskMayHoldLessThanOneFile() {
        assertThatThrownBy(() -> new TaskSizes(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
