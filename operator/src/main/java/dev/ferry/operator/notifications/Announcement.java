package dev.ferry.operator.notifications;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.events.EventIds;
import dev.ferry.api.events.EventType;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.status.Conditions;
import dev.ferry.operator.status.FinishGate;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile of a job announces on Kafka, in the order of the reconcile: as the finish gate of the
 * aggregation it holds the final phase back until {@code job.finished} is acknowledged (sending it once
 * {@code job.started} is); {@link #describe} writes what is acknowledged and the {@code NotificationsPending}
 * condition into the status being built; {@link #written} follows the status write: it sends
 * {@code job.started} once the status that starts the job is stored, records the Event of a
 * NotificationsPending that lasts, and closes the publisher of a job that has ended. A job without
 * {@code spec.notifications} is let through and gets no publisher.
 */
public final class Announcement implements FinishGate {
    private final JobAnnouncer announcer;
    private final JobState state;
    private final MigrationJob job;
    private final boolean enabled;
    private boolean finishWaits;
    private long waiting;

    Announcement(JobAnnouncer announcer, JobState state) {
        this.announcer = announcer;
        this.state = state;
        this.job = state.job();
        this.enabled = job.getSpec().notifications != null && job.getSpec().notifications.kafka != null;
    }

    @Override
    public boolean mayFinish(JobState ignored, MigrationJobStatus ending, String why) {
        if (!enabled) {
            return true;
        }
        // job.started first: both go to one partition, and a consumer should not see the end before the start
        if (startedAcknowledged()) {
            FerryEvent finished = JobLifecycleEvents.finished(job, ending, why, state.now());
            Optional<JobAnnouncer.Sent> sent = announcer.sendOnce(job, finished);
            if (sent.isPresent() && sent.get().acknowledged()) {
                ending.completionTime = JobLifecycleEvents.completionTime(sent.get().event());
                return true;
            }
        }
        finishWaits = true;
        return false;
    }

    /** Into the status being built: whether job.started is acknowledged, and NotificationsPending. */
    public void describe(MigrationJobStatus status) {
        if (!enabled) {
            NotificationsPending.remove(status);
            return;
        }
        boolean started = startedAcknowledged();
        if (started) {
            if (status.notifications == null) {
                status.notifications = new MigrationJobStatus.Notifications();
            }
            status.notifications.startedAcknowledged = true;
        }
        List<String> own = new ArrayList<>();
        if (status.startTime != null && !started) {
            own.add("job.started");
        }
        if (finishWaits) {
            own.add("job.finished");
        }
        waiting = NotificationsPending.set(status, NotificationsPending.ofTasks(state), own,
                announcer.problem(uid()), state.now(), job.getMetadata().getGeneration());
    }

    /** After {@code status} was written. */
    public void written(MigrationJobStatus status) {
        if (!enabled || status.phase != null && status.phase.isFinished()) {
            announcer.forget(uid()); // ended and announced (or nothing to announce): nothing more to send
            return;
        }
        if (status.startTime != null && !startedAcknowledged()) {
            announcer.sendOnce(job, JobLifecycleEvents.started(job, status, state.now()));
        }
        recordEventOfALastingWait(status);
    }

    /** Soon while outcomes wait for Kafka: the job's phase may be waiting for it. */
    public Optional<Duration> recheck() {
        return enabled && waiting > 0 ? Optional.of(JobAnnouncer.RECHECK) : Optional.empty();
    }

    private boolean startedAcknowledged() {
        MigrationJobStatus.Notifications recorded = state.observedStatus().notifications;
        return recorded != null && Boolean.TRUE.equals(recorded.startedAcknowledged)
                || announcer.acknowledged(uid(),
                        EventIds.job(uid(), EventType.JOB_STARTED, null, state.observedStatus().runOrFirst()));
    }

    /** One Warning per True period that lasted {@link JobAnnouncer#EVENT_AFTER}, never one per outcome. */
    private void recordEventOfALastingWait(MigrationJobStatus status) {
        Optional<Condition> pending = Conditions.find(status.conditions, NotificationsPending.TYPE)
                .filter(c -> "True".equals(c.getStatus()));
        if (pending.isEmpty()) {
            return;
        }
        String since = pending.get().getLastTransitionTime();
        try {
            if (OffsetDateTime.parse(since).toInstant().plus(JobAnnouncer.EVENT_AFTER).isAfter(state.now())) {
                return;
            }
        } catch (DateTimeParseException e) {
            return;
        }
        if (announcer.firstEventFor(uid(), since)) {
            announcer.events().warning(job, NotificationsPending.TYPE, pending.get().getMessage());
        }
    }

    private String uid() {
        return job.getMetadata().getUid();
    }
}
