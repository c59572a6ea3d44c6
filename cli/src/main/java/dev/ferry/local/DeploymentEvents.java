package dev.ferry.local;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events about a Deployment whose pods cannot start, where kubectl describe shows them. */
final class DeploymentEvents {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentEvents.class);

    private final KubernetesClient client;

    DeploymentEvents(KubernetesClient client) {
        this.client = client;
    }

    void warn(Deployment deployment, String reason, String message) {
        record(deployment, "Warning", reason, message);
    }

    private void record(Deployment deployment, String type, String reason, String message) {
        try {
            client.v1().events().inNamespace(deployment.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withGenerateName(deployment.getMetadata().getName() + "-").endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                            .withName(deployment.getMetadata().getName())
                            .withNamespace(deployment.getMetadata().getNamespace())
                            .withUid(deployment.getMetadata().getUid()).build())
                    .withType(type).withReason(reason).withMessage(message)
                    .withLastTimestamp(Instant.now().toString())
                    .withCount(1)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.debug("cannot record event", e);
        }
    }
}
