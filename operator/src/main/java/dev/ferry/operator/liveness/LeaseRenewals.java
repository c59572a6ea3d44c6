package dev.ferry.operator.liveness;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When this operator saw each worker's Lease renewed, on the operator's own clock. A worker writes its
 * {@code renewTime} with its node's clock; judged against the operator's clock, a node whose clock lags
 * by more than the lease duration (15 s) would look dead at every renewal — its tasks taken back, its pod
 * deleted, again and again — and an operator whose clock runs ahead would find every worker dead. So, as
 * Kubernetes' node lifecycle controller does with the kubelets' Leases and client-go's leader election
 * with its own, a Lease is timed from the moment it was seen to change: one left unchanged for its
 * duration, by the operator's clock, has expired, whatever time it names. A Lease seen for the first time
 * (an operator that just started or took over) counts as renewed then: a worker that died just before a
 * leader change is found dead one lease duration after it.
 *
 * <p>The same observations tell how far each worker's clock is from the operator's ({@code renewTime}
 * minus the moment it was seen, a little less than the true difference by the watch's delay), which
 * {@link #onOperatorClock} uses for the other times a worker writes ({@code progressTime}).
 *
 * <p>Looks come from the Lease informer's events as they arrive and from every reconcile that reads a
 * Lease; entries are keyed by the holder (the worker pod's UID) and forgotten when the Lease is deleted, so
 * the map holds one entry per live worker.
 */
public final class LeaseRenewals implements WorkerClocks {
    /** Keyed by the Lease's holder. */
    private final FirstSeen<Renewal> seen = new FirstSeen<>();

    /** The fields a renewal (or a take-over) changes. */
    private record Renewal(ZonedDateTime renewTime, ZonedDateTime acquireTime, Integer durationSeconds,
                           Integer transitions) {
        static Renewal of(LeaseSpec spec) {
            return new Renewal(spec.getRenewTime(), spec.getAcquireTime(), spec.getLeaseDurationSeconds(),
                    spec.getLeaseTransitions());
        }
    }

    /**
     * Records the Lease as seen at {@code now}: the moment it was first seen in this state, which
     * {@code now} is when it changed since the last look.
     *
     * @return when this renewal was first seen; empty for a Lease without a holder
     */
    public Optional<Instant> seenRenewedAt(Lease lease, Instant now) {
        LeaseSpec spec = lease.getSpec();
        if (spec == null || spec.getHolderIdentity() == null) {
            return Optional.empty();
        }
        return Optional.of(seen.look(spec.getHolderIdentity(), Renewal.of(spec), resourceVersion(lease), now).at());
    }

    /**
     * When the Lease expires on the operator's clock: a lease duration after its last renewal was seen
     * (recording it as seen at {@code now} if this is the first look). Empty without a duration or holder.
     */
    public Optional<Instant> expiry(Lease lease, Instant now) {
        Integer duration = lease.getSpec() == null ? null : lease.getSpec().getLeaseDurationSeconds();
        if (duration == null) {
            return Optional.empty();
        }
        return seenRenewedAt(lease, now).map(at -> at.plusSeconds(duration));
    }

    /** Whether this very renewal of the Lease (or a later one) is the last this operator saw of its holder. */
    public boolean hasSeen(Lease lease) {
        LeaseSpec spec = lease.getSpec();
        return spec != null && spec.getHolderIdentity() != null
                && seen.hasSeen(spec.getHolderIdentity(), Renewal.of(spec), resourceVersion(lease));
    }

    /** Forgets a deleted Lease. */
    public void forget(Lease lease) {
        if (lease.getSpec() != null && lease.getSpec().getHolderIdentity() != null) {
            seen.forget(lease.getSpec().getHolderIdentity());
        }
    }

    /**
     * {@code workerTime}, written by the worker pod {@code podUid} with its node's clock, on the operator's:
     * shifted by how far that worker's last seen {@code renewTime} was from the moment it was seen. A worker
     * whose Lease was never seen (none yet, or a Lease without a {@code renewTime}) is taken at its word.
     */
    @Override
    public Instant onOperatorClock(String podUid, Instant workerTime) {
        return clockOffset(podUid).map(workerTime::minus).orElse(workerTime);
    }

    /** How far the worker's clock is ahead of the operator's (negative: behind), as its Lease shows. */
    public Optional<Duration> clockOffset(String podUid) {
        return seen.last(podUid)
                .filter(last -> last.state().renewTime() != null)
                .map(last -> Duration.between(last.at(), last.state().renewTime().toInstant()));
    }

    private static String resourceVersion(Lease lease) {
        return lease.getMetadata() == null ? null : lease.getMetadata().getResourceVersion();
    }

    /** Workers whose Lease is remembered: one per live worker. */
    int size() {
        return seen.size();
    }
}
