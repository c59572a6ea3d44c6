package dev.ferry.worker.task;

/**
 * Tells running tasks to stop starting new work, shared by everything a worker runs. Set on SIGTERM
 * (drain and release) or for one task when it was lost.
 */
public interface StopSignal {
    boolean stopRequested();

    StopSignal NEVER = () -> false;

    default StopSignal or(StopSignal other) {
        return () -> stopRequested() || other.stopRequested();
    }
}
