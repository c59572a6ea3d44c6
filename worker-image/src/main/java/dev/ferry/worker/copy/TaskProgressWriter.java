package dev.ferry.worker.copy;

import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.TaskFence;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a running task's progress when it moved (and a heartbeat now and then), called about once a
 * second from the worker's ticker; notices when the task was lost.
 */
public final class TaskProgressWriter {
    private static final Logger LOG = LoggerFactory.getLogger(TaskProgressWriter.class);

    private final TaskFence fence;
    private final LongSupplier version;
    private final Consumer<MigrationTaskStatus> writeTo;
    private final Clock clock;
    private final Duration heartbeatInterval;
    private long writtenVersion = -1;
    private long lastWriteMillis;
    private volatile LostTaskException lost;

    /** {@code version} changes whenever {@code writeTo} would write something new. */
    public TaskProgressWriter(TaskFence fence, LongSupplier version, Consumer<MigrationTaskStatus> writeTo, Clock clock,
                       Duration heartbeatInterval) {
        this.fence = fence;
        this.version = version;
        this.writeTo = writeTo;
        this.clock = clock;
        this.heartbeatInterval = heartbeatInterval;
        this.lastWriteMillis = clock.millis();
    }

    public LostTaskException lost() {
        return lost;
    }

    public synchronized void tick() {
        if (lost != null) {
            return;
        }
        long v = version.getAsLong();
        if (v == writtenVersion && clock.millis() - lastWriteMillis < heartbeatInterval.toMillis()) {
            return;
        }
        try {
            fence.update(writeTo);
            writtenVersion = v;
            lastWriteMillis = clock.millis();
        } catch (LostTaskException e) {
            lost = e;
            LOG.warn("abandoning task: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("could not write progress of {} (will retry): {}", fence.taskName(), e.toString());
        }
    }

    /**
     * Writes the progress now, whatever has changed: after a pause, the fence's answer tells whether the task is
     * still this worker's ({@link #lost} is set when it is not). A write that fails otherwise is left to the ticks.
     */
    public synchronized void confirmHeld() {
        if (lost != null) {
            return;
        }
        writtenVersion = -1;
        tick();
    }

    /** Waits for a write in progress (the lock), then reports a loss noticed by any write. */
    public synchronized void closeAndRethrowIfLost() throws LostTaskException {
        if (lost != null) {
            throw lost;
        }
    }
}
