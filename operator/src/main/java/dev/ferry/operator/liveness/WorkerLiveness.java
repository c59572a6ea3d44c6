package dev.ferry.operator.liveness;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The one judgement of whether a worker may still hold tasks. Its pod tells whether it exists and is
 * Ready; its Lease tells whether the process still runs — a hung or partitioned worker stops renewing
 * while its pod keeps looking Ready. A worker is dead when its pod is being deleted or terminated,
 * has been not Ready for longer than {@code notReadyGrace}, or its Lease expired: not seen renewed for
 * {@code leaseDurationSeconds} of the operator's clock ({@link LeaseRenewals}: the worker's own
 * {@code renewTime} is on another machine's clock). A Ready worker without a Lease yet is starting: it gets
 * {@code leaseStartupGrace} from becoming Ready to create one. Both graces count from when the pod's readiness
 * changed, on the operator's clock too ({@link ReadinessClock}: in the operator, from when it saw the change).
 *
 * <p>A Lease counts only when its holder is the pod's UID: a Lease left by an earlier pod of the same
 * name says nothing about this one.
 */
public final class WorkerLiveness {
    private final Duration notReadyGrace;
    private final Duration leaseStartupGrace;
    private final LeaseRenewals renewals;
    private final ReadinessClock readiness;

    public WorkerLiveness(Duration notReadyGrace, Duration leaseStartupGrace, LeaseRenewals renewals,
            ReadinessClock readiness) {
        this.notReadyGrace = Objects.requireNonNull(notReadyGrace, "notReadyGrace");
        this.leaseStartupGrace = Objects.requireNonNull(leaseStartupGrace, "leaseStartupGrace");
        this.renewals = Objects.requireNonNull(renewals, "renewals");
        this.readiness = Objects.requireNonNull(readiness, "readiness");
    }

    /**
     * With Leases timed from this object's first look at them and readiness times taken as written: for
     * tests that build pods with the times they mean.
     */
    public WorkerLiveness(Duration notReadyGrace, Duration leaseStartupGrace) {
        this(notReadyGrace, leaseStartupGrace, new LeaseRenewals(), ReadinessClock.AS_WRITTEN);
    }

    /** Why the worker can no longer hold tasks, or empty while it can. */
    public Optional<String> whyDead(Pod pod, Optional<Lease> lease, Instant now) {
        String name = pod.getMetadata().getName();
        if (!WorkerPods.isLive(pod)) {
            return Optional.of("worker " + name + " is terminating or terminated");
        }
        if (notReadyEnd(pod, now).filter(now::isAfter).isPresent()) {
            return Optional.of("worker " + name + " has not been Ready for more than " + notReadyGrace.toSeconds() + "s");
        }
        Optional<Instant> leaseDeadline = leaseDeadline(pod, lease, now);
        if (leaseDeadline.isPresent() && now.isAfter(leaseDeadline.get())) {
            return Optional.of(lease.flatMap(l -> leaseExpiry(l, now)).isPresent()
                    ? "the Lease of worker " + name + " expired at " + leaseDeadline.get() + " (not renewed for "
                            + lease.get().getSpec().getLeaseDurationSeconds() + "s)"
                    : "worker " + name + " has had no Lease for more than " + leaseStartupGrace.toSeconds() + "s since it became Ready");
        }
        return Optional.empty();
    }

    /** Alive and Ready: may be handed tasks. */
    public boolean canTakeTasks(Pod pod, Optional<Lease> lease, Instant now) {
        return WorkerPods.canTakeTasks(pod) && whyDead(pod, lease, now).isEmpty();
    }

    /**
     * When the worker will count as dead if nothing changes (no renewal, no readiness change): the
     * operator looks again then, because the passing of time is no event. Empty when no clock runs.
     */
    public Optional<Instant> deadline(Pod pod, Optional<Lease> lease, Instant now) {
        if (!WorkerPods.isLive(pod)) {
            return Optional.empty();
        }
        Optional<Instant> notReadyEnd = notReadyEnd(pod, now);
        Optional<Instant> leaseEnd = leaseDeadline(pod, lease, now);
        if (notReadyEnd.isEmpty()) {
            return leaseEnd;
        }
        return leaseEnd.filter(l -> l.isBefore(notReadyEnd.get())).or(() -> notReadyEnd);
    }

    /** The Lease's expiry; without a usable Lease, the end of a Ready worker's start-up grace. */
    private Optional<Instant> leaseDeadline(Pod pod, Optional<Lease> lease, Instant now) {
        Optional<Instant> expiry = lease.flatMap(l -> leaseExpiry(l, now));
        if (expiry.isPresent()) {
            return expiry;
        }
        // A worker that is not Ready is judged by the not-Ready grace; its Lease clock starts at Ready.
        if (!WorkerPods.isReady(pod)) {
            return Optional.empty();
        }
        return readiness.readinessSince(pod, now).map(since -> since.plus(leaseStartupGrace));
    }

    /**
     * When a worker that is not Ready will have been so for longer than the grace, and dead (a short blip of
     * readiness must not cost a task its holder); empty for a Ready worker.
     */
    private Optional<Instant> notReadyEnd(Pod pod, Instant now) {
        if (WorkerPods.isReady(pod)) {
            return Optional.empty();
        }
        return readiness.readinessSince(pod, now).map(since -> since.plus(notReadyGrace));
    }

    /**
     * When the Lease expires on the operator's clock: {@code leaseDurationSeconds} after this operator saw it
     * last renewed (at {@code now} when this is the first look); empty without a duration or holder.
     */
    public Optional<Instant> leaseExpiry(Lease lease, Instant now) {
        return renewals.expiry(lease, now);
    }

    /** Whether the Lease has expired at {@code now} (see {@link #leaseExpiry}); a Lease without a duration has. */
    public boolean leaseExpired(Lease lease, Instant now) {
        return leaseExpiry(lease, now).map(now::isAfter).orElse(true);
    }

    /** Whether the Lease is this pod's: same name, held by the pod's UID. */
    public static boolean belongsTo(Lease lease, Pod pod) {
        return lease.getMetadata().getName().equals(pod.getMetadata().getName())
                && lease.getSpec() != null
                && Objects.equals(lease.getSpec().getHolderIdentity(), WorkerPods.uid(pod));
    }
}
