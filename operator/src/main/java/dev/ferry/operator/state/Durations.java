package dev.ferry.operator.state;

import dev.ferry.api.GoDuration;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.TasksSpec;
import java.time.Duration;

/** The durations of a job's spec the operator acts on ({@link GoDuration} reads them). */
public final class Durations {
    private Durations() {
    }

    /** {@code spec.tasks.stallTimeout}; the default when the spec's value cannot be read (the schema refuses it). */
    public static Duration stallTimeout(MigrationJob job) {
        String text = job.getSpec().tasksOrDefaults().stallTimeoutOrDefault();
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            return GoDuration.parse(TasksSpec.DEFAULT_STALL_TIMEOUT);
        }
    }
}
