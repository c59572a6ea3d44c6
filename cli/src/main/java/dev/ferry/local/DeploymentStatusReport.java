package dev.ferry.local;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Deployment controller reports in a Deployment's status, from the local pods: how many run, of the
 * current template, ready and available, and the conditions {@code Available} and {@code Progressing}. Read by
 * {@code kubectl get deploy} (READY, UP-TO-DATE, AVAILABLE), {@code kubectl rollout status} and
 * {@code ferry status} ("Workers: 2/2 ready"), which showed 0 ready in the dev cluster before. Zero counts are
 * left out, as the API server's JSON does.
 */
final class DeploymentStatusReport {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentStatusReport.class);

    private DeploymentStatusReport() {
    }

    /**
     * The status of {@code deployment} with {@code running} pods (not stopping), {@code current} of them of its
     * template; the conditions keep their transition time while their status stays.
     */
    static DeploymentStatus of(Deployment deployment, List<LocalPod> running, List<LocalPod> current, Instant now) {
        int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        int available = (int) running.stream().filter(p -> p.availableAt(now, RollingUpdate.MIN_READY)).count();
        boolean rolledOut = current.size() == desired && running.size() == desired && available == desired;
        boolean minimum = available >= desired - RollingUpdate.maxUnavailable(desired);
        String name = deployment.getMetadata().getName();
        DeploymentStatus previous = deployment.getStatus();
        return new DeploymentStatusBuilder()
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(positive(running.size()))
                .withUpdatedReplicas(positive(current.size()))
                .withReadyReplicas(positive(running.size()))
                .withAvailableReplicas(positive(available))
                .withUnavailableReplicas(positive(desired - available))
                .withConditions(
                        condition(previous, "Available", minimum,
                                minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                                minimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                                now),
                        condition(previous, "Progressing", true,
                                rolledOut ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                                "ReplicaSet \"" + name + "\" " + (rolledOut ? "has successfully progressed." : "is progressing."),
                                now))
                .build();
    }

    /** Writes {@code status} unless the Deployment has it already; a conflict is left to the next sync. */
    static void writeIfChanged(KubernetesClient client, Deployment deployment, DeploymentStatus status) {
        if (Objects.equals(deployment.getStatus(), status)) {
            return;
        }
        Deployment reported = new DeploymentBuilder(deployment).withStatus(status).build();
        try {
            client.apps().deployments().inNamespace(deployment.getMetadata().getNamespace()).resource(reported)
                    .updateStatus();
        } catch (KubernetesClientException e) {
            LOG.debug("status of Deployment {} not written ({}); the next sync writes it", deployment.getMetadata().getName(),
                    e.getMessage());
        }
    }

    private static Integer positive(int count) {
        return count > 0 ? count : null;
    }

    private static DeploymentCondition condition(DeploymentStatus previous, String type, boolean status, String reason,
            String message, Instant now) {
        String value = status ? "True" : "False";
        DeploymentCondition before = previous == null || previous.getConditions() == null ? null
                : previous.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String transition = before != null && value.equals(before.getStatus()) && before.getLastTransitionTime() != null
                ? before.getLastTransitionTime() : now.toString();
        String update = before != null && value.equals(before.getStatus()) && reason.equals(before.getReason())
                && before.getLastUpdateTime() != null ? before.getLastUpdateTime() : now.toString();
        return new DeploymentConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
                .withLastTransitionTime(transition).withLastUpdateTime(update).build();
    }
}
