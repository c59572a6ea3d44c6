package dev.ferry.operator.notifications;

import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import dev.ferry.operator.status.Conditions;
import java.time.Instant;
import java.util.List;

/**
 * The {@code NotificationsPending} condition of a job with {@code spec.notifications}: True while outcomes
 * wait for Kafka to acknowledge their events — those the job's unfinished tasks hold
 * ({@code progress.eventsPending}) and the operator's own {@code job.started} and {@code job.finished}.
 * A finished task's count is left out: no holder will ever deliver more for it (a task is Succeeded only
 * once its events are acknowledged; one failed by the operator keeps the count of a holder that died).
 */
public final class NotificationsPending {
    public static final String TYPE = "NotificationsPending";
    public static final String EVENTS_NOT_ACKNOWLEDGED = "EventsNotAcknowledged";
    public static final String ALL_ACKNOWLEDGED = "AllAcknowledged";

    private NotificationsPending() {
    }

    /** Outcomes whose events the job's unfinished tasks hold unacknowledged. */
    static long ofTasks(JobState state) {
        long pending = 0;
        for (MigrationTask task : state.tasks()) {
            MigrationTaskStatus status = task.getStatus();
            if (!Tasks.phase(task).isFinished() && status != null && status.progress != null
                    && status.progress.eventsPending != null) {
                pending += Math.max(0, status.progress.eventsPending);
            }
        }
        return pending;
    }

    /**
     * @param own the operator's own events that wait, by type ({@code job.started}, {@code job.finished})
     * @param problem why the operator cannot send now (names no secret value), or null
     * @return how many outcomes wait
     */
    static long set(MigrationJobStatus status, long ofTasks, List<String> own, String problem, Instant now,
            Long generation) {
        long waiting = ofTasks + own.size();
        if (waiting == 0) {
            Conditions.set(status.conditions, TYPE, false, ALL_ACKNOWLEDGED,
                    "Kafka acknowledged the events of every outcome so far", now, generation);
            return 0;
        }
        String message = waiting == 1 ? "1 outcome waits for Kafka to acknowledge its event"
                : waiting + " outcomes wait for Kafka to acknowledge their events";
        if (!own.isEmpty()) {
            message += ": " + (ofTasks > 0 ? ofTasks + " of the job's tasks, " : "") + String.join(", ", own);
        }
        if (problem != null) {
            message += "; " + problem;
        }
        Conditions.set(status.conditions, TYPE, true, EVENTS_NOT_ACKNOWLEDGED, message, now, generation);
        return waiting;
    }

    /** A job without {@code spec.notifications} has no such condition. */
    static void remove(MigrationJobStatus status) {
        Conditions.remove(status.conditions, TYPE);
    }
}
