package dev.ferry.worker.task;

import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this worker may start new work (a file, a part) on the tasks it holds: while its Lease is renewed.
 * A worker that has not renewed its Lease for most of the Lease's duration — cut off from the API server
 * while the source and the store still answer, or starved of CPU — is about to count as dead, and the
 * operator then hands its tasks to other workers. Had it gone on copying, it would copy the files they
 * copy (and, in a Move, delete sources under them). So it pauses: what is in flight ends, nothing new
 * starts until a renewal goes through, and then the task's fence tells whether the task is still its own
 * ({@link StopSignal#pausedWhileLapsed}).
 */
@FunctionalInterface
public interface WorkerStanding {
    /** Never lapses: a worker without a Lease of its own (tests, tools). */
    WorkerStanding ALWAYS_GOOD = Optional::empty;

    /** How often a paused caller looks again. */
    Duration LOOK_EVERY = Duration.ofMillis(200);

    /** Why new work must wait, or empty while it may start. */
    Optional<String> lapse();

    /**
     * Returns at once while the standing is good; else waits until it is again or {@code halt} is requested.
     *
     * @return whether it waited: the caller should make sure its task is still its own before going on
     */
    default boolean awaitGood(StopSignal halt) throws InterruptedException {
        Optional<String> lapse = lapse();
        if (lapse.isEmpty()) {
            return false;
        }
        Logger log = LoggerFactory.getLogger(WorkerStanding.class);
        log.warn("pausing new work: {}; the operator hands this worker's tasks to others if it stays so", lapse.get());
        long started = System.nanoTime();
        while (lapse.isPresent() && !halt.stopRequested()) {
            Thread.sleep(LOOK_EVERY.toMillis());
            lapse = lapse();
        }
        log.info("new work resumes after a pause of {} ms{}", (System.nanoTime() - started) / 1_000_000,
                halt.stopRequested() ? " (stopping)" : "");
        return true;
    }
}
