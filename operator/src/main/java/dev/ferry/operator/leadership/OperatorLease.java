package dev.ferry.operator.leadership;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This operator's part in the {@code ferry-operator} Lease beyond the election JOSDK runs: a leader
 * that loses the Lease while running ends the process, so that only the new leader reconciles; a
 * leader that is stopped hands the Lease over at once.
 *
 * <p>Why not JOSDK's own {@code exitOnStopLeading}: JOSDK calls {@code System.exit} whenever the
 * election ends, also when {@code Operator.stop()} ends it from the JVM's shutdown hook, and
 * {@code System.exit} inside a shutdown hook blocks for ever. A leader sent SIGTERM (every rollout,
 * node drain or {@code helm upgrade}) hung until SIGKILL, Kubernetes' grace of 30 s, and left the Lease
 * held (JOSDK's elector does not release on cancel), so the standby waited out the lease duration
 * (15 s) on top: no leader for most of a minute. So JOSDK is told not to exit, these callbacks decide,
 * and {@link #release} runs once the controllers have stopped.
 *
 * <p>It also notices an election that has silently stopped ({@link #stall}): Fabric8's elector ends its
 * loop for good, without a log line or a callback, when a try throws anything but a
 * {@code KubernetesClientException} or its executor refuses a task; a standby in that state never
 * leads, a leader in it reconciles without renewing. The liveness probe restarts such a process.
 */
public final class OperatorLease {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorLease.class);
    /** The lease duration (15 s, JOSDK's) and a minute more, for a slow API server or a loaded node. */
    public static final Duration STALL_AFTER = Duration.ofSeconds(75);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Runnable onLoss;
    private final Clock clock;
    private volatile boolean stopping;
    /** The Lease's resourceVersion at the last look of {@link #stall}, and since when it has been that. */
    private String lastVersion;
    private Instant lastChange;

    /**
     * @param identity the holder this operator writes into the Lease (its pod's name)
     * @param onLoss what a leader does when it loses the Lease while running: exit the process (tests:
     *        nothing, as the operator embedded in a test JVM must not end it)
     */
    public OperatorLease(KubernetesClient client, String namespace, String name, String identity, Runnable onLoss,
            Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace: the Lease's namespace cannot be inferred");
        this.name = Objects.requireNonNull(name, "name");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.onLoss = Objects.requireNonNull(onLoss, "onLoss");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String identity() {
        return identity;
    }

    public String namespace() {
        return namespace;
    }

    /** The callbacks to give JOSDK's election (which calls them before its own). */
    public LeaderCallbacks callbacks() {
        return new LeaderCallbacks(() -> { }, this::stoppedLeading, newLeader -> { });
    }

    /**
     * Why this operator's election has stopped, if it has: nobody has written the Lease for
     * {@link #STALL_AFTER} while this operator competes for it. A leader renews every retry period (2 s)
     * and a standby takes an expired or released Lease at its next try, so a Lease left unwritten that
     * long has no live leader and no live candidate, this one included. Measured on this operator's
     * clock between its own looks (the Lease's times come from other nodes' clocks). An API server that
     * does not answer is not a stall: restarting would not bring it back. Looked at every 15 s by
     * {@code FerryOperator}, whose {@code /healthz} serves the answer.
     */
    public synchronized Optional<String> stall() {
        if (stopping) {
            return Optional.empty();
        }
        String version;
        try {
            Lease lease = client.leases().inNamespace(namespace).withName(name).get();
            version = lease == null ? null : lease.getMetadata().getResourceVersion();
        } catch (KubernetesClientException e) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (lastChange == null || !Objects.equals(version, lastVersion)) {
            lastVersion = version;
            lastChange = now;
            return Optional.empty();
        }
        Duration unwritten = Duration.between(lastChange, now);
        if (unwritten.compareTo(STALL_AFTER) < 0) {
            return Optional.empty();
        }
        return Optional.of(String.format("leader election stopped: the Lease %s/%s has not been %s for %d s, and"
                + " this operator (%s) competes for it; a restart starts a new election", namespace, name,
                version == null ? "created" : "renewed or taken", unwritten.toSeconds(), identity));
    }

    /** From now on an end of the election is this operator stopping, not a lost Lease. */
    public void stopping() {
        stopping = true;
    }

    void stoppedLeading() {
        if (stopping) {
            LOG.info("stopped leading: the operator is stopping; the Lease {}/{} is handed over", namespace, name);
            return;
        }
        LOG.error("lost the Lease {}/{} (not renewed within its deadline, or taken): stopping, so that only the new"
                + " leader reconciles", namespace, name);
        onLoss.run();
    }

    /**
     * Hands the Lease over if this operator still holds it: no holder, a duration of one second, as
     * client-go's {@code ReleaseOnCancel} writes it, so that a standby takes it at its next try instead
     * of after the lease duration. The write is locked to the resourceVersion read: a Lease another
     * operator took in between is left alone. Call it only after the controllers have stopped.
     *
     * @return whether the Lease was released
     */
    public boolean release() {
        try {
            Lease lease = client.leases().inNamespace(namespace).withName(name).get();
            if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
                return false;
            }
            ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
            Lease released = new LeaseBuilder(lease).editSpec()
                    .withHolderIdentity(null)
                    .withLeaseDurationSeconds(1)
                    .withAcquireTime(now)
                    .withRenewTime(now)
                    .endSpec().build();
            client.leases().inNamespace(namespace).resource(released).update();
            LOG.info("released the Lease {}/{}", namespace, name);
            return true;
        } catch (KubernetesClientException e) {
            LOG.warn("could not release the Lease {}/{} ({}); the next leader takes it once it expires", namespace, name,
                    e.getMessage());
            return false;
        }
    }
}
