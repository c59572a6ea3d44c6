package dev.ferry.worker.plan;

/** How many tasks of the job are not finished yet: planning waits while this reaches maxActive. */
@FunctionalInterface
public interface ActiveTasks {
    int unfinished();

    ActiveTasks NONE = () -> 0;
}
