package dev.ferry.worker.plan;

import dev.ferry.worker.task.StopSignal;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backpressure: a plan creates a task only while fewer than {@code maxActive} Copy and Parts tasks of
 * the job are unfinished, counting as unfinished too the Succeeded tasks beyond {@code historyLimit}
 * that the operator has not folded away yet. So the job's task objects stay within
 * {@code maxActive + historyLimit} (besides its plans, its audit and its Failed tasks, which are the failure
 * report) whatever the pace of copying against the pace of folding: when folding falls behind, planning
 * waits for it rather than filling etcd. It waits for room a little ({@code waitInPlace}); past that it gives up its
 * worker slot ({@link PlanPaused}, the runner releases the task with a backoff). Waiting for ever would
 * deadlock: the operator hands Plan tasks out first, so with child plans every task slot of every
 * worker could hold a plan waiting for copies that no worker has a slot to run.
 */
final class Room {
    private static final Logger LOG = LoggerFactory.getLogger(Room.class);

    private final ActiveTasks active;
    private final int maxActive;
    private final int historyLimit;
    private final StopSignal stop;
    private final Duration poll;
    private final Duration waitInPlace;

    Room(ActiveTasks active, int maxActive, int historyLimit, StopSignal stop, Duration poll, Duration waitInPlace) {
        this.active = active;
        this.maxActive = maxActive;
        this.historyLimit = historyLimit;
        this.stop = stop;
        this.poll = poll;
        this.waitInPlace = waitInPlace;
    }

    void await() {
        long waitedMillis = 0;
        int occupied;
        while ((occupied = occupied()) >= maxActive) {
            if (stop.stopRequested()) {
                throw PlanPaused.stopping();
            }
            if (waitedMillis >= waitInPlace.toMillis()) {
                throw PlanPaused.noRoom(occupied, maxActive);
            }
            if (waitedMillis == 0) {
                LOG.info("{} unfinished tasks (with the Succeeded ones not folded yet beyond historyLimit {}) reach"
                        + " maxActive {}: planning waits", occupied, historyLimit, maxActive);
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw PlanPaused.stopping();
            }
            waitedMillis += poll.toMillis();
        }
    }

    /** Unfinished tasks, plus the Succeeded ones beyond the history window still waiting to be folded. */
    int occupied() {
        return active.unfinished() + Math.max(0, active.succeeded() - historyLimit);
    }
}
