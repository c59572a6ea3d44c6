package dev.ferry.worker.plan;

import java.util.function.IntSupplier;

/**
 * The job's Copy and Parts tasks as this worker's cache sees them, counted for planning's room: planning
 * waits while the unfinished ones, plus the Succeeded ones beyond {@code historyLimit} that the operator
 * has not folded away yet, reach {@code maxActive} ({@link Room}).
 */
@FunctionalInterface
public interface ActiveTasks {
    /** Copy and Parts tasks not finished yet. */
    int unfinished();

    /** Succeeded Copy and Parts tasks still stored as objects. */
    default int succeeded() {
        return 0;
    }

    ActiveTasks NONE = () -> 0;

    static ActiveTasks of(IntSupplier unfinished, IntSupplier succeeded) {
        return new ActiveTasks() {
            @Override
            public int unfinished() {
                return unfinished.getAsInt();
            }

            @Override
            public int succeeded() {
                return succeeded.getAsInt();
            }
        };
    }
}
