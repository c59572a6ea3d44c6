package dev.ferry.api.events;

/** The CloudEvents types Ferry publishes (docs/events.md). */
public enum EventType {
    /** The file was uploaded by this job (also when a first holder uploaded it and its event was lost). */
    FILE_COPIED("dev.ferry.file.copied"),
    /** An identical object was at the destination before this job touched it. */
    FILE_SKIPPED("dev.ferry.file.skipped"),
    /** The file was not migrated; {@code data.code} says why (docs/errors.md). */
    FILE_FAILED("dev.ferry.file.failed"),
    /** A Copy or Parts task ended (Succeeded or Failed), with its counters. */
    TASK_FINISHED("dev.ferry.task.finished"),
    /** The job started planning. */
    JOB_STARTED("dev.ferry.job.started"),
    /** The job ended (Succeeded or Failed), with its final counters. */
    JOB_FINISHED("dev.ferry.job.finished");

    private final String type;

    EventType(String type) {
        this.type = type;
    }

    /** The CloudEvents {@code type} attribute. */
    public String type() {
        return type;
    }

    public static EventType ofType(String type) {
        for (EventType t : values()) {
            if (t.type.equals(type)) {
                return t;
            }
        }
        throw new IllegalArgumentException("not a Ferry event type: " + type);
    }
}
