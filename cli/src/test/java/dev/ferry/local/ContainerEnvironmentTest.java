package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local kubelet resolves a container's {@code envFrom} as a kubelet does: every key, with the prefix. */
@EnableKubernetesMockClient(crud = true)
class ContainerEnvironmentTest {
    KubernetesClient client;

    private final Pod pod = new PodBuilder().withNewMetadata().withName("w").withNamespace("default").withUid("u1")
            .endMetadata().build();

    @Test
    void givesEveryKeyOfASecretWithThePrefixAndLetsEnvOverrideIt() {
        client.secrets().inNamespace("default").resource(new SecretBuilder()
                .withNewMetadata().withName("kafka").withNamespace("default").endMetadata()
                .addToData("security.protocol", base64("SASL_SSL"))
                .addToStringData("sasl.mechanism", "PLAIN")
                .build()).create();
        Container container = new ContainerBuilder().withName("worker")
                .addNewEnvFrom().withPrefix("FERRY_KAFKA_").withNewSecretRef().withName("kafka").endSecretRef().endEnvFrom()
                .addNewEnv().withName("FERRY_KAFKA_sasl.mechanism").withValue("SCRAM-SHA-512").endEnv()
                .build();

        Map<String, String> env = new ContainerEnvironment(client).resolve(pod, container, Map.of());

        assertThat(env).containsEntry("FERRY_KAFKA_security.protocol", "SASL_SSL")
                .as("env is applied over envFrom, as by a kubelet")
                .containsEntry("FERRY_KAFKA_sasl.mechanism", "SCRAM-SHA-512");
    }

    @Test
    void givesEveryKeyOfAConfigMap() {
        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("settings").withNamespace("default").endMetadata()
                .addToData("LOG_LEVEL", "debug")
                .build()).create();
        Container container = new ContainerBuilder().withName("worker")
                .addNewEnvFrom().withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom()
                .build();

        assertThat(new ContainerEnvironment(client).resolve(pod, container, Map.of())).containsEntry("LOG_LEVEL", "debug");
    }

    @Test
    void refusesToStartWithoutTheSecretUnlessItIsOptional() {
        Container required = new ContainerBuilder().withName("worker")
                .addNewEnvFrom().withPrefix("FERRY_KAFKA_").withNewSecretRef().withName("absent").endSecretRef().endEnvFrom()
                .build();
        Container optional = new ContainerBuilder().withName("worker")
                .addNewEnvFrom().withNewSecretRef().withName("absent").withOptional(true).endSecretRef().endEnvFrom()
                .addNewEnv().withName("FERRY_JOB").withValue("j").endEnv()
                .build();

        assertThatThrownBy(() -> new ContainerEnvironment(client).resolve(pod, required, Map.of()))
                .isInstanceOf(ContainerEnvironment.ContainerConfigException.class)
                .hasMessage("secret \"absent\" not found");
        assertThat(new ContainerEnvironment(client).resolve(pod, optional, Map.of())).containsExactly(Map.entry("FERRY_JOB", "j"));
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
