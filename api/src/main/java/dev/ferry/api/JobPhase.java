package dev.ferry.api;

/** A convenience summary of a job's conditions, for printer columns. Conditions are the contract. */
public enum JobPhase {
    Pending, Planning, Running, Verifying, Succeeded, Failed, Suspended;

    public boolean isFinished() {
        return this == Succeeded || this == Failed;
    }
}
