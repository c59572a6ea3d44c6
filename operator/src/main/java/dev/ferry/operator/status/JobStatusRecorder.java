package dev.ferry.operator.status;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.validation.InvalidSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a job's status, and only its status, through the status subresource with a
 * resourceVersion lock. The spec is the user's and is never changed (GitOps tools would fight it).
 * Not a JSON merge patch: the Fabric8 mock server appends lists on merge patches, which doubled
 * the conditions on every write. Phase transitions become Events, and so do the start and the end of a
 * destination problem (Degraded with reason DestinationUnavailable).
 */
public final class JobStatusRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(JobStatusRecorder.class);
    static final String DESTINATION_AVAILABLE = "DestinationAvailable";

    private final KubernetesClient client;
    private final JobEvents events;
    private final BiConsumer<MigrationJob, MigrationJob> onWritten;

    /** @param onWritten told (updated, previous) after a write, so that the next reconcile sees it */
    public JobStatusRecorder(KubernetesClient client, JobEvents events, BiConsumer<MigrationJob, MigrationJob> onWritten) {
        this.client = client;
        this.events = events;
        this.onWritten = onWritten;
    }

    /** Returns false when the job changed since it was read: the caller looks again soon. */
    public boolean record(JobState state, MigrationJobStatus status) {
        MigrationJobStatus before = state.observedStatus();
        if (Serialization.asJson(before).equals(Serialization.asJson(status))) {
            return true; // nothing changed: no write, no event
        }
        if (!write(state.job(), status)) {
            return false;
        }
        if (before.phase != status.phase) {
            announce(state.job(), before.phase, status);
        }
        announceDestination(state.job(), before, status);
        return true;
    }

    /** A Warning when the destination becomes unavailable (or full), a Normal Event when hand-out resumes. */
    private void announceDestination(MigrationJob job, MigrationJobStatus before, MigrationJobStatus after) {
        Optional<Condition> was = destinationProblem(before);
        Optional<Condition> is = destinationProblem(after);
        if (was.isEmpty() && is.isPresent()) {
            boolean quota = Conditions.find(after.conditions, Conditions.QUOTA_EXCEEDED)
                    .map(c -> "True".equals(c.getStatus())).orElse(false);
            String reason = quota ? JobStatusAggregator.QUOTA_EXCEEDED : JobStatusAggregator.DESTINATION_UNAVAILABLE;
            LOG.warn("job {}/{}: {}", job.getMetadata().getNamespace(), job.getMetadata().getName(), is.get().getMessage());
            events.warning(job, reason, is.get().getMessage());
        } else if (was.isPresent() && is.isEmpty() && Conditions.find(after.conditions, Conditions.PROGRESSING)
                .map(c -> "True".equals(c.getStatus())).orElse(false)) {
            String code = was.get().getMessage().split(":", 2)[0];
            String message = "a task moved forward again after " + code + ": the destination works, hand-out resumed";
            LOG.info("job {}/{}: {}", job.getMetadata().getNamespace(), job.getMetadata().getName(), message);
            events.normal(job, DESTINATION_AVAILABLE, message);
        }
    }

    private static Optional<Condition> destinationProblem(MigrationJobStatus status) {
        return Conditions.find(status.conditions, Conditions.DEGRADED)
                .filter(c -> "True".equals(c.getStatus()))
                .filter(c -> JobStatusAggregator.DESTINATION_UNAVAILABLE.equals(c.getReason()));
    }

    /** Ready=False with the problem, Progressing=False; the job stays as far as it got. A Warning once per message. */
    public boolean recordInvalid(JobState state, InvalidSpec invalid) {
        return recordHeld(state, InvalidSpec.REASON, invalid.message(), true);
    }

    /**
     * A job that may not start yet, and why (a Normal Event once per message): Ready=False and Progressing=False with
     * the reason, the phase Pending until it starts. Returns false when the job changed since it was read.
     */
    public boolean recordWaiting(JobState state, String reason, String message) {
        return recordHeld(state, reason, message, false);
    }

    private boolean recordHeld(JobState state, String reason, String message, boolean warning) {
        MigrationJobStatus status = Serialization.clone(state.observedStatus());
        Long generation = state.job().getMetadata().getGeneration();
        status.observedGeneration = generation;
        if (status.phase == null) {
            status.phase = JobPhase.Pending;
        }
        boolean told = Conditions.find(status.conditions, Conditions.READY)
                .map(c -> reason.equals(c.getReason()) && Objects.equals(c.getMessage(), message))
                .orElse(false);
        Conditions.set(status.conditions, Conditions.READY, false, reason, message, state.now(), generation);
        Conditions.set(status.conditions, Conditions.PROGRESSING, false, reason, message, state.now(), generation);
        if (!Serialization.asJson(state.observedStatus()).equals(Serialization.asJson(status))
                && !write(state.job(), status)) {
            return false;
        }
        if (!told) {
            if (warning) {
                LOG.warn("job {}/{}: {}: {}", state.namespace(), state.name(), reason, message);
                events.warning(state.job(), reason, message);
            } else {
                LOG.info("job {}/{}: {}: {}", state.namespace(), state.name(), reason, message);
                events.normal(state.job(), reason, message);
            }
        }
        return true;
    }

    /**
     * A status update locked on the resourceVersion read. The body carries the job as read, so even
     * an API server that (unlike a real one) took more than the status from a status update could
     * not change the spec: the lock refuses the write if anything changed since.
     */
    private boolean write(MigrationJob job, MigrationJobStatus status) {
        MigrationJob copy = Serialization.clone(job);
        copy.setStatus(status);
        try {
            MigrationJob written = client.resources(MigrationJob.class)
                    .inNamespace(job.getMetadata().getNamespace())
                    .resource(copy)
                    .lockResourceVersion(job.getMetadata().getResourceVersion())
                    .updateStatus();
            onWritten.accept(written, job);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            LOG.debug("job {} changed since it was read; its status is written on the next reconcile",
                    job.getMetadata().getName());
            return false;
        }
    }

    private void announce(MigrationJob job, JobPhase from, MigrationJobStatus status) {
        String message = Conditions.find(status.conditions, Conditions.READY).map(c -> c.getMessage()).orElse("");
        String text = (from == null ? "" : from + " → ") + status.phase + (message.isEmpty() ? "" : ": " + message);
        LOG.info("job {}/{}: {}", job.getMetadata().getNamespace(), job.getMetadata().getName(), text);
        if (status.phase == JobPhase.Failed) {
            events.warning(job, status.phase.name(), text);
        } else {
            events.normal(job, status.phase.name(), text);
        }
    }
}
