package dev.ferry.operator.workers;

import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.status.JobEvents;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a worker pod whose process no longer renews its Lease while the pod still looks alive: a
 * hung JVM, a stopped process, a worker cut off from the API server. Its tasks were taken back when the
 * Lease expired ({@code DeadWorkerReclaimer}), but the Deployment counts the pod as running and never
 * replaces it, so the job went on one worker short for ever, and a job of one worker waited for ever.
 * The pod goes once its Lease has been expired for the grace ({@code hungWorkerGrace}, 30 s beyond
 * the Lease's 15 s by default), so a worker slow to renew once is not killed; its own termination grace
 * applies. Only a Lease the pod itself held counts: a pod that never wrote one is not judged here.
 */
public final class HungWorkerPods {
    static final String REASON = "WorkerPodDeleted";
    private static final Logger LOG = LoggerFactory.getLogger(HungWorkerPods.class);

    private final KubernetesClient client;
    private final JobEvents events;
    private final WorkerLiveness liveness;
    private final Duration grace;

    public HungWorkerPods(KubernetesClient client, JobEvents events, WorkerLiveness liveness, Duration grace) {
        this.client = Objects.requireNonNull(client, "client");
        this.events = Objects.requireNonNull(events, "events");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.grace = Objects.requireNonNull(grace, "grace");
    }

    /**
     * Deletes the job's hung worker pods.
     *
     * @return the next moment a pod of the job would be due, if its Lease has expired and it is not yet
     */
    public Optional<Instant> deleteHung(JobState state) {
        Instant now = state.now();
        Optional<Instant> next = Optional.empty();
        for (Pod pod : state.workerPods()) {
            if (!WorkerPods.isLive(pod)) {
                continue; // already being deleted, or its process ended: the Deployment acts on its own
            }
            Optional<Instant> expired = state.leaseOf(pod).flatMap(lease -> liveness.leaseExpiry(lease, now));
            if (expired.isEmpty() || !now.isAfter(expired.get())) {
                continue;
            }
            Instant due = expired.get().plus(grace);
            if (now.isBefore(due)) {
                next = next.filter(n -> n.isBefore(due)).or(() -> Optional.of(due));
            } else {
                delete(state, pod, expired.get());
            }
        }
        return next;
    }

    private void delete(JobState state, Pod pod, Instant expired) {
        String name = pod.getMetadata().getName();
        try {
            client.pods().inNamespace(state.namespace()).resource(pod).delete();
        } catch (KubernetesClientException e) {
            LOG.warn("job {}/{}: cannot delete hung worker pod {} ({}); it stays until deleted by hand",
                    state.namespace(), state.job().getMetadata().getName(), name, e.getMessage());
            return;
        }
        String message = "deleted worker pod " + name + ": its Lease expired at " + expired + " and was not renewed for "
                + grace.toSeconds() + " s more (a hung or stopped process, or one cut off from the API server); its"
                + " tasks were handed to other workers and the Deployment starts another pod";
        LOG.warn("job {}/{}: {}", state.namespace(), state.job().getMetadata().getName(), message);
        events.warning(state.job(), REASON, message);
    }
}
