package dev.ferry.worker.lease;

import dev.ferry.api.Ferry;
import dev.ferry.worker.config.WorkerConfig;
import dev.ferry.worker.task.WorkerStanding;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.concurrent.TimeUnit;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves that this worker process is alive: a {@code coordination.k8s.io/v1} Lease named after the
 * pod, held by the pod's UID, renewed every {@code leaseRenewInterval}. The operator counts a worker
 * whose Lease expired as dead even when its pod looks Ready — a hung or partitioned process stops
 * renewing. A failed renewal is logged and tried again at the next tick (the default timings allow
 * two failures before the Lease expires); it never stops the worker. The Lease is owned by the pod,
 * so the garbage collector removes it with the pod; a clean shutdown deletes it at once.
 *
 * <p>It is also the worker's {@link WorkerStanding}: once no renewal has gone through for four fifths of the
 * Lease's duration (12 s of the default 15), measured on this process's monotonic clock from the start of the
 * last renewal that went through (the operator times the same renewal from when it sees it, later), new work
 * pauses: the worker stops starting files before the operator can find it dead and hand its tasks on.
 */
public final class LeaseRenewer implements AutoCloseable, WorkerStanding {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewer.class);

    private final KubernetesClient client;
    private final WorkerConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoTime;
    /** Renewals that went through longer ago than this pause new work. */
    private final Duration pauseAfter;
    /** When the last renewal that went through started (as {@link #nanoTime}); at first, when this worker started. */
    private volatile long lastRenewalStarted;
    /** The Lease as last written; only the scheduler thread touches it. Null: read it first. */
    private Lease last;
    private boolean failing;

    public LeaseRenewer(KubernetesClient client, WorkerConfig config, Clock clock) {
        this(client, config, clock, System::nanoTime);
    }

    LeaseRenewer(KubernetesClient client, WorkerConfig config, Clock clock, LongSupplier nanoTime) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.pauseAfter = config.leaseDuration().multipliedBy(4).dividedBy(5);
        this.lastRenewalStarted = nanoTime.getAsLong();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                BasicThreadFactory.builder().namingPattern("ferry-lease").daemon(true).build());
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::renewLoggingFailures, 0, config.leaseRenewInterval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void renewLoggingFailures() {
        long started = nanoTime.getAsLong();
        try {
            renew();
            lastRenewalStarted = started;
            if (failing) {
                LOG.info("Lease {}/{} renewed again", config.namespace(), config.podName());
                failing = false;
            }
        } catch (RuntimeException e) {
            last = null;
            failing = true;
            LOG.warn("cannot renew Lease {}/{} (retrying in {} ms): {}", config.namespace(), config.podName(),
                    config.leaseRenewInterval().toMillis(), e.getMessage());
        }
    }

    @Override
    public Optional<String> lapse() {
        long since = nanoTime.getAsLong() - lastRenewalStarted;
        if (since <= pauseAfter.toNanos()) {
            return Optional.empty();
        }
        return Optional.of("the Lease " + config.namespace() + "/" + config.podName() + " has not been renewed for "
                + TimeUnit.NANOSECONDS.toSeconds(since) + " s (the API server out of reach?)");
    }

    /** One renewal; a write that lost a race (409) or found the Lease deleted (404) is redone on a fresh read. */
    private void renew() {
        try {
            write(last);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) {
                throw e;
            }
            write(null);
        }
    }

    private void write(Lease known) {
        Lease current = known != null ? known : leases().withName(config.podName()).get();
        ZonedDateTime now = clock.instant().atZone(ZoneOffset.UTC);
        last = current == null ? leases().resource(fresh(now)).create() : leases().resource(renewed(current, now))
                .lockResourceVersion(current.getMetadata().getResourceVersion()).update();
    }

    private Lease fresh(ZonedDateTime now) {
        return new LeaseBuilder()
                .withNewMetadata()
                    .withName(config.podName())
                    .withNamespace(config.namespace())
                    .withLabels(Map.of(Ferry.JOB_LABEL, config.jobName(),
                            Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER,
                            Ferry.APP_NAME_LABEL, Ferry.APP_NAME))
                    .withOwnerReferences(ownedByThePod())
                .endMetadata()
                .withNewSpec()
                    .withHolderIdentity(config.podUid())
                    .withLeaseDurationSeconds(durationSeconds())
                    .withAcquireTime(now)
                    .withRenewTime(now)
                    .withLeaseTransitions(0)
                .endSpec()
                .build();
    }

    /** The next renewal; a Lease left by an earlier pod of the same name is taken over. */
    private Lease renewed(Lease current, ZonedDateTime now) {
        LeaseBuilder next = new LeaseBuilder(current);
        if (current.getSpec() == null || !Objects.equals(current.getSpec().getHolderIdentity(), config.podUid())) {
            int transitions = current.getSpec() == null || current.getSpec().getLeaseTransitions() == null ? 0
                    : current.getSpec().getLeaseTransitions();
            return next.withNewSpec()
                    .withHolderIdentity(config.podUid())
                    .withLeaseDurationSeconds(durationSeconds())
                    .withAcquireTime(now)
                    .withRenewTime(now)
                    .withLeaseTransitions(transitions + 1)
                    .endSpec()
                    .editMetadata()
                        .withOwnerReferences(ownedByThePod())
                    .endMetadata()
                    .build();
        }
        return next.editSpec().withRenewTime(now).withLeaseDurationSeconds(durationSeconds()).endSpec().build();
    }

    /** The pod owns its Lease: deleting the pod deletes the Lease (not a controller reference). */
    private OwnerReference ownedByThePod() {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
                .withName(config.podName()).withUid(config.podUid()).build();
    }

    private int durationSeconds() {
        return (int) config.leaseDuration().toSeconds();
    }

    private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases() {
        return client.leases().inNamespace(config.namespace());
    }

    /**
     * Stops renewing and deletes the Lease if it is still this pod's: the operator then needs no
     * expiry to know the worker is gone.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Lease renewal of {} did not stop within 5 s", config.podName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Lease current = leases().withName(config.podName()).get();
            if (current != null && current.getSpec() != null
                    && config.podUid().equals(current.getSpec().getHolderIdentity())) {
                leases().resource(current).lockResourceVersion(current.getMetadata().getResourceVersion()).delete();
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot delete Lease {}/{}: {}", config.namespace(), config.podName(), e.getMessage());
        }
    }
}
