package dev.ferry.api;

/** The task state machine: Pending → Assigned (operator) → Running → Succeeded | Failed (holder). */
public enum TaskPhase {
    Pending, Assigned, Running, Succeeded, Failed;

    public boolean isFinished() {
        return this == Succeeded || this == Failed;
    }

    /** Held by a worker: the phases a dead worker's tasks are taken back from. */
    public boolean isHeld() {
        return this == Assigned || this == Running;
    }
}
