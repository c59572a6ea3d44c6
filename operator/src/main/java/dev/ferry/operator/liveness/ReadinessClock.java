package dev.ferry.operator.liveness;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Optional;

/**
 * Since when a worker pod has been in its current readiness, on the operator's clock: the not-Ready grace
 * and the Lease start-up grace count from it. {@link ReadinessChanges} times each change from when the
 * operator saw it.
 */
@FunctionalInterface
public interface ReadinessClock {
    /**
     * Takes the Ready condition's {@code lastTransitionTime} as written (see {@link WorkerPods#readinessSince}):
     * for states built from objects alone (tests, tools).
     */
    ReadinessClock AS_WRITTEN = (pod, now) -> WorkerPods.readinessSince(pod);

    /** Since when {@code pod} has been Ready, or not Ready, as it is now; empty when that cannot be told. */
    Optional<Instant> readinessSince(Pod pod, Instant now);
}
