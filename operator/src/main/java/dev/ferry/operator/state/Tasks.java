package dev.ferry.operator.state;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/** Reading a task's state, with the defaults of a task nobody has written a status for yet. */
public final class Tasks {

    private Tasks() {
    }

    /** A task without a status was just created: it waits to be handed out. */
    public static TaskPhase phase(MigrationTask task) {
        return task.getStatus() == null || task.getStatus().phase == null ? TaskPhase.Pending : task.getStatus().phase;
    }

    public static TaskType type(MigrationTask task) {
        return task.getSpec() == null || task.getSpec().type == null ? TaskType.Copy : task.getSpec().type;
    }

    public static Optional<String> holderUid(MigrationTask task) {
        MigrationTaskStatus status = task.getStatus();
        return status == null || status.assignment == null ? Optional.empty() : Optional.ofNullable(status.assignment.podUid);
    }

    public static int attempts(MigrationTask task) {
        return task.getStatus() == null ? 0 : task.getStatus().attemptsOrZero();
    }

    public static long epoch(MigrationTask task) {
        return task.getStatus() == null ? 0 : task.getStatus().epochOrZero();
    }

    /** When a backed-off task may be handed out again; empty when it may be now. */
    public static Optional<Instant> notBefore(MigrationTask task) {
        if (task.getStatus() == null || task.getStatus().notBefore == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(task.getStatus().notBefore).toInstant());
        } catch (RuntimeException e) {
            return Optional.empty(); // an unreadable backoff must not park a task forever
        }
    }
}
