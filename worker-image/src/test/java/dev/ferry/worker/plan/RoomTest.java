package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.worker.task.StopSignal;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Planning's room: maxActive 200 and historyLimit 100 keep the job's Copy and Parts task objects within
 * 300, however far folding falls behind copying.
 */
class RoomTest {
    private static final int MAX_ACTIVE = 200;
    private static final int HISTORY_LIMIT = 100;

    @Test
    void succeededTasksWithinTheHistoryWindowTakeNoRoom() {
        Room room = room(ActiveTasks.of(() -> 199, () -> 100));

        assertThat(room.occupied()).isEqualTo(199);
        room.await(); // returns at once: one more task fits
    }

    @Test
    void succeededTasksNotFoldedYetBeyondTheWindowCountAsUnfinished() {
        Room room = room(ActiveTasks.of(() -> 150, () -> 160));

        assertThat(room.occupied()).isEqualTo(210);
        assertThatThrownBy(room::await).isInstanceOf(PlanPaused.class)
                .hasMessageContaining("210 unfinished tasks (and Succeeded ones not folded yet)")
                .satisfies(e -> assertThat(((PlanPaused) e).why).isEqualTo(PlanPaused.Why.NO_ROOM));
    }

    @Test
    void planningGoesOnOnceFoldingCatchesUp() {
        AtomicInteger succeeded = new AtomicInteger(400); // copies ran ahead of folding
        AtomicInteger looks = new AtomicInteger();
        Room room = new Room(ActiveTasks.of(() -> 0, () -> {
            looks.incrementAndGet();
            return succeeded.getAndAdd(-50); // the operator folds a batch between two looks
        }), MAX_ACTIVE, HISTORY_LIMIT, StopSignal.NEVER, Duration.ofMillis(1), Duration.ofSeconds(10));

        room.await();

        assertThat(succeeded.get() + 50).as("the window it found room in").isLessThan(MAX_ACTIVE + HISTORY_LIMIT);
        assertThat(looks.get()).isGreaterThan(1);
    }

    @Test
    void aWorkerThatStopsStopsWaiting() {
        Room room = new Room(ActiveTasks.of(() -> MAX_ACTIVE, () -> 0), MAX_ACTIVE, HISTORY_LIMIT, () -> true,
                Duration.ofMillis(1), Duration.ofSeconds(10));

        assertThatThrownBy(room::await).isInstanceOf(PlanPaused.class)
                .satisfies(e -> assertThat(((PlanPaused) e).why).isEqualTo(PlanPaused.Why.STOPPING));
    }

    private static Room room(ActiveTasks active) {
        return new Room(active, MAX_ACTIVE, HISTORY_LIMIT, StopSignal.NEVER, Duration.ofMillis(1), Duration.ofMillis(20));
    }
}
