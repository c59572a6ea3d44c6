package dev.ferry.operator.liveness;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * Reads a worker pod's fitness from its status, per the project convention: live when it exists, is
 * not being deleted and has not terminated; able to take tasks when it is also Ready.
 */
public final class WorkerPods {

    private WorkerPods() {
    }

    public static boolean isLive(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    /** Whether the pod's containers may still run: not Succeeded or Failed (a pod being deleted runs until it stops). */
    public static boolean mayRun(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    public static boolean isReady(Pod pod) {
        return readyCondition(pod).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** Live and Ready: may be handed tasks. */
    public static boolean canTakeTasks(Pod pod) {
        return isLive(pod) && isReady(pod);
    }

    /**
     * Since when the pod has been in its current readiness (Ready or not), as written: the Ready condition's
     * last transition, or the pod's creation when there is none yet. Both are on other machines' clocks
     * (the kubelet's, the API server's); {@link ReadinessChanges} times them on the operator's.
     */
    public static Optional<Instant> readinessSince(Pod pod) {
        return readyCondition(pod)
                .map(PodCondition::getLastTransitionTime)
                .or(() -> Optional.ofNullable(pod.getMetadata().getCreationTimestamp()))
                .flatMap(WorkerPods::parse);
    }

    public static String uid(Pod pod) {
        return pod.getMetadata().getUid();
    }

    static Optional<PodCondition> readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    private static Optional<Instant> parse(String timestamp) {
        try {
            return Optional.of(OffsetDateTime.parse(timestamp).toInstant());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
