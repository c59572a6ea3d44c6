package dev.ferry.local;

import dev.ferry.api.Ferry;
import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;

/**
 * The operator as the Helm chart installs it: a Deployment of replicas with Lease leader election,
 * run by the local kubelet as processes (one Pod each, annotation {@code ferry.dev/pid}), so that
 * killing the leader is a real crash and the Lease hands over to another replica.
 */
final class OperatorDeployment {
    static final String NAME = "ferry-operator";
    private static final Map<String, String> LABELS = Map.of(
            Ferry.APP_NAME_LABEL, Ferry.APP_NAME,
            Ferry.COMPONENT_LABEL, Ferry.COMPONENT_OPERATOR,
            Ferry.PART_OF_LABEL, Ferry.APP_NAME);

    private OperatorDeployment() {
    }

    static Deployment of(String namespace, int replicas, int defaultWorkerReplicas) {
        List<EnvVar> env = List.of(
                new EnvVarBuilder().withName("FERRY_LEADER_ELECTION").withValue("true").build(),
                new EnvVarBuilder().withName("FERRY_DEFAULT_WORKER_REPLICAS")
                        .withValue(Integer.toString(defaultWorkerReplicas)).build(),
                fieldRef("POD_NAME", "metadata.name"),
                fieldRef("POD_NAMESPACE", "metadata.namespace"));
        return new DeploymentBuilder()
                .withNewMetadata().withName(NAME).withNamespace(namespace).withLabels(LABELS).endMetadata()
                .withNewSpec()
                    .withReplicas(replicas)
                    .withNewSelector().withMatchLabels(LABELS).endSelector()
                    .withNewTemplate()
                        .withNewMetadata().withLabels(LABELS).endMetadata()
                        .withNewSpec()
                            .addNewContainer().withName("operator").withImage("ferry/operator:0.1.0").withEnv(env)
                            .endContainer()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    /** The Lease the replicas compete for; its holder is the leading pod's name. */
    static String leaseName() {
        return OperatorSettings.LEASE_NAME;
    }

    private static EnvVar fieldRef(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path)
                .endFieldRef().endValueFrom().build();
    }
}
