package dev.ferry.local;

import dev.ferry.api.Ferry;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pod objects in the API that stand for the worker processes: created Pending from the
 * Deployment's template, then Running and Ready with the process id in annotation
 * {@code ferry.dev/pid} (and the port of its {@code /metrics} in {@code ferry.dev/metrics-port}), and deleted at once (no grace period) when the process is gone.
 */
final class PodObjects {
    private static final Logger LOG = LoggerFactory.getLogger(PodObjects.class);

    private final KubernetesClient client;
    private final SecureRandom random = new SecureRandom();

    PodObjects(KubernetesClient client) {
        this.client = client;
    }

    /** A new pod name: the Deployment's name and a random suffix. */
    String newName(Deployment deployment) {
        return deployment.getMetadata().getName() + "-" + randomSuffix();
    }

    /** Creates the pod, Pending, on node "local", owned by the Deployment. */
    Pod createPending(Deployment deployment, String name, String templateHash) {
        var template = deployment.getSpec().getTemplate();
        String namespace = deployment.getMetadata().getNamespace();
        return client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .withLabels(template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels())
                    .addToLabels(PodTemplateHash.LABEL, templateHash)
                    .withAnnotations(template.getMetadata() == null ? Map.of() : template.getMetadata().getAnnotations())
                    .withOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion("apps/v1").withKind("Deployment")
                            .withName(deployment.getMetadata().getName())
                            .withUid(deployment.getMetadata().getUid())
                            .withController(true).build())
                .endMetadata()
                .withSpec(template.getSpec())
                .editSpec().withNodeName("local").endSpec()
                .withStatus(new PodStatusBuilder().withPhase("Pending").build())
                .build()).create();
    }

    /**
     * Running and Ready, with the process id, its log file ({@code kubectl logs}) and the port of its
     * {@code /metrics} (if it serves them) annotated.
     */
    void markRunning(Pod pod, long pid, OptionalInt metricsPort, Path logFile) {
        String now = Instant.now().toString();
        List<PodCondition> conditions = new ArrayList<>();
        for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
            conditions.add(new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(now).build());
        }
        try {
            Pod running = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .edit(p -> new PodBuilder(p)
                            .editMetadata().addToAnnotations(Ferry.PID_ANNOTATION, Long.toString(pid))
                                .addToAnnotations(Ferry.LOG_FILE_ANNOTATION, logFile.toAbsolutePath().toString())
                                .addToAnnotations(metricsPort.isPresent()
                                        ? Map.of(Ferry.METRICS_PORT_ANNOTATION, Integer.toString(metricsPort.getAsInt()))
                                        : Map.of())
                            .endMetadata()
                            .build());
            running.setStatus(new PodStatusBuilder()
                    .withPhase("Running")
                    .withConditions(conditions)
                    .withHostIP("127.0.0.1")
                    .withPodIP("127.0.0.1")
                    .withStartTime(now)
                    .addNewContainerStatus().withName("worker").withReady(true).withStarted(true).withRestartCount(0)
                        .withImage(pod.getSpec().getContainers().get(0).getImage())
                        .withNewState().withNewRunning().withStartedAt(now).endRunning().endState()
                    .endContainerStatus()
                    .build());
            client.pods().resource(running).updateStatus();
        } catch (KubernetesClientException e) {
            LOG.warn("cannot mark pod {} running: {}", pod.getMetadata().getName(), e.getMessage());
        }
    }

    void delete(String namespace, String name) {
        try {
            client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
        } catch (KubernetesClientException | IllegalStateException e) {
            LOG.debug("cannot delete pod {}: {}", name, e.toString());
        }
    }

    private String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
