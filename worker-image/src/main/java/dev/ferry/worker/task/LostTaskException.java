package dev.ferry.worker.task;

/**
 * The task is no longer ours: it was deleted, or the operator handed it to another pod or to a new
 * epoch. The holder must stop working on it at once and write nothing more.
 */
public class LostTaskException extends Exception {
    private final String task;

    public LostTaskException(String task, String reason) {
        super("task " + task + " is no longer held by this worker: " + reason);
        this.task = task;
    }

    public String task() {
        return task;
    }
}
