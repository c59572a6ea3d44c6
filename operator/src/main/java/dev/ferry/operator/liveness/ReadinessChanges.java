package dev.ferry.operator.liveness;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Optional;

/**
 * When this operator saw each worker pod's readiness change, on the operator's own clock. The Ready
 * condition's {@code lastTransitionTime} is written by the kubelet with its node's clock (or by the node
 * controller with the control plane's): against the operator's clock, a node two minutes behind made a
 * not-Ready worker lose its tasks at once instead of after the grace (60 s), and a Ready worker still
 * starting look past its Lease start-up grace; a node ahead kept a not-Ready worker's tasks for as long as
 * its lead. As with the Leases ({@link LeaseRenewals}), a change is timed from the moment it was seen: the
 * condition's status and transition time together are the state, and a pod seen for the first time (an
 * operator that just started or took over) counts as having changed then — a worker that went not Ready just
 * before a leader change gets the whole grace from the new leader.
 *
 * <p>Looks come from the pod informer's events as they arrive and from every reconcile's judgement; entries
 * are keyed by the pod's UID and forgotten when the pod is deleted, so the map holds one entry per worker pod.
 */
public final class ReadinessChanges implements ReadinessClock {
    private final FirstSeen<Readiness> seen = new FirstSeen<>();

    /** The Ready condition as the pod shows it: its status and when it says it last changed (null: no condition). */
    private record Readiness(String status, String lastTransitionTime) {
        static Readiness of(Pod pod) {
            return WorkerPods.readyCondition(pod)
                    .map(c -> new Readiness(c.getStatus(), c.getLastTransitionTime()))
                    .orElse(new Readiness(null, null));
        }
    }

    /**
     * Records the pod's readiness as seen at {@code now} (unless it was seen so before) and returns when this
     * operator first saw it so. Empty for a pod without a UID.
     */
    @Override
    public Optional<Instant> readinessSince(Pod pod, Instant now) {
        String uid = WorkerPods.uid(pod);
        if (uid == null) {
            return Optional.empty();
        }
        return Optional.of(seen.look(uid, Readiness.of(pod), resourceVersion(pod), now).at());
    }

    /** Whether this readiness of the pod (or a later version of the pod) is the last this operator saw. */
    public boolean hasSeen(Pod pod) {
        String uid = WorkerPods.uid(pod);
        return uid != null && seen.hasSeen(uid, Readiness.of(pod), resourceVersion(pod));
    }

    /** Forgets a deleted pod. */
    public void forget(Pod pod) {
        String uid = WorkerPods.uid(pod);
        if (uid != null) {
            seen.forget(uid);
        }
    }

    private static String resourceVersion(Pod pod) {
        return pod.getMetadata().getResourceVersion();
    }

    /** Pods whose readiness is remembered. */
    int size() {
        return seen.size();
    }
}
