package dev.ferry.operator.notifications;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.operator.notifications.JobPublishers.PublisherUnavailable;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.status.JobEvents;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces jobs on Kafka ({@code spec.notifications.kafka}): {@code job.started} once the status that
 * starts a job is written, {@code job.finished} before its final phase is (see {@link Announcement}).
 * Remembers, per job, the events it sent and whether Kafka acknowledged them; that memory is only a
 * shortcut: what counts is the job's status, so a new leader sends again — with the same ids — whatever
 * the status does not record as acknowledged. An acknowledgement reconciles its job at once.
 */
public final class JobAnnouncer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobAnnouncer.class);
    /** How soon a job whose events wait is looked at again (an acknowledgement wakes it sooner). */
    public static final Duration RECHECK = Duration.ofSeconds(2);
    /**
     * How long {@code NotificationsPending} stays True before it becomes a Kubernetes Event. Under load
     * some outcomes always wait the milliseconds of an acknowledgement; only Kafka that stays silent is news.
     */
    public static final Duration EVENT_AFTER = Duration.ofSeconds(10);
    /** How often the publishers of deleted jobs are closed. */
    private static final Duration SWEEP_EVERY = Duration.ofSeconds(30);

    private final JobPublishers publishers;
    private final JobEvents events;
    private final Consumer<MigrationJob> wakeUp;
    /** Per job UID, the job events sent by this operator, by event id. */
    private final Map<String, Map<String, Sent>> sent = new ConcurrentHashMap<>();
    /** Per job UID, why its events cannot be sent now. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    /** Per job UID, the NotificationsPending=True period (its lastTransitionTime) that has had its Event. */
    private final Map<String, String> eventRecordedFor = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            BasicThreadFactory.builder().namingPattern("ferry-publisher-sweep").daemon(true).build());

    /** @param wakeUp reconciles a job soon: told when Kafka acknowledged one of its events */
    public JobAnnouncer(KubernetesClient client, PublisherFactory factory, JobEvents events,
            Consumer<MigrationJob> wakeUp) {
        this.publishers = new JobPublishers(client, factory);
        this.events = events;
        this.wakeUp = wakeUp;
    }

    /** What one reconcile of the job announces. */
    public Announcement begin(JobState state) {
        return new Announcement(this, state);
    }

    /** Closes, every little while, the publishers of jobs that no longer exist (a deleted job is not reconciled). */
    public void sweepRegularly(Predicate<String> jobUidExists) {
        long every = SWEEP_EVERY.toMillis();
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                for (String uid : List.copyOf(sent.keySet())) {
                    if (!jobUidExists.test(uid)) {
                        forget(uid);
                    }
                }
                publishers.retainOnly(jobUidExists);
            } catch (RuntimeException e) {
                LOG.debug("sweeping the publishers of deleted jobs failed; tried again later", e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** The job finished and announced it, or is gone: its publisher is closed and its memory dropped. */
    public void forget(String uid) {
        publishers.close(uid);
        sent.remove(uid);
        problems.remove(uid);
        eventRecordedFor.remove(uid);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        publishers.close();
        sent.clear();
    }

    /** The event as sent before, unless that send was lost (its publisher closed); else sent now. */
    Optional<Sent> sendOnce(MigrationJob job, FerryEvent event) {
        String uid = job.getMetadata().getUid();
        Map<String, Sent> ofJob = sent.computeIfAbsent(uid, u -> new ConcurrentHashMap<>());
        Sent before = ofJob.get(event.id());
        if (before != null && !before.lost()) {
            return Optional.of(before);
        }
        EventPublisher publisher;
        try {
            publisher = publishers.of(job);
        } catch (PublisherUnavailable e) {
            if (!Objects.equals(problems.put(uid, e.getMessage()), e.getMessage())) {
                LOG.warn("job {}/{}: cannot send {}: {}", job.getMetadata().getNamespace(), job.getMetadata().getName(),
                        event.type().type(), e.getMessage());
            }
            return Optional.empty();
        }
        problems.remove(uid);
        Sent now = new Sent(event, publisher.publish(event));
        ofJob.put(event.id(), now);
        LOG.debug("job {}/{}: sent {} (id {})", job.getMetadata().getNamespace(), job.getMetadata().getName(),
                event.type().type(), event.id());
        now.acknowledgement().thenRun(() -> wakeUp.accept(job));
        return Optional.of(now);
    }

    /** Whether this operator sent the event and Kafka acknowledged it. */
    boolean acknowledged(String uid, String eventId) {
        Map<String, Sent> ofJob = sent.get(uid);
        Sent event = ofJob == null ? null : ofJob.get(eventId);
        return event != null && event.acknowledged();
    }

    String problem(String uid) {
        return problems.get(uid);
    }

    JobEvents events() {
        return events;
    }

    /** Records that the NotificationsPending=True period since {@code since} had its Event; false if it had. */
    boolean firstEventFor(String uid, String since) {
        return !since.equals(eventRecordedFor.put(uid, since));
    }

    /** An event handed to the publisher, and the acknowledgement of it. */
    record Sent(FerryEvent event, CompletableFuture<Void> acknowledgement) {
        boolean acknowledged() {
            return acknowledgement.isDone() && !acknowledgement.isCompletedExceptionally();
        }

        /** Its publisher closed before Kafka acknowledged it: it has to be sent again. */
        boolean lost() {
            return acknowledgement.isCompletedExceptionally();
        }
    }
}
