package dev.ferry.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An operator or worker follows its logging ConfigMap without a restart. */
@EnableKubernetesMockClient(crud = true)
class LoggingConfigMapTest {
    KubernetesClient client;

    @Test
    void appliesTheConfigMapWhenCreatedEditedAndDeleted() {
        LoggerContext context = new LoggerContext();
        context.getLogger("dev.ferry").setLevel(Level.INFO);
        try (LoggingConfigMap watch = LoggingConfigMap.watch(client, "jobs", "ferry-logging", LogLevels.of(context))) {
            client.configMaps().inNamespace("jobs").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("ferry-logging").endMetadata().addToData("dev.ferry", "DEBUG").build()).create();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> context.getLogger("dev.ferry").getLevel() == Level.DEBUG);

            client.configMaps().inNamespace("jobs").withName("ferry-logging")
                    .edit(c -> new ConfigMapBuilder(c).withData(Map.of("dev.ferry", "TRACE")).build());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> context.getLogger("dev.ferry").getLevel() == Level.TRACE);

            client.configMaps().inNamespace("jobs").withName("ferry-logging").delete();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> context.getLogger("dev.ferry").getLevel() == Level.INFO);
        }
    }

    @Test
    void isOffWhenTheEnvironmentSaysSo() {
        assertThat(LoggingConfigMap.watch(client, "jobs", Map.of(LoggingConfigMap.NAME_VARIABLE, "off"))).isNull();
    }

    @Test
    void leavesConfigMapsOfOtherNamesAlone() {
        LoggerContext context = new LoggerContext();
        try (LoggingConfigMap watch = LoggingConfigMap.watch(client, "jobs", "ferry-logging", LogLevels.of(context))) {
            client.configMaps().inNamespace("jobs").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("something-else").endMetadata().addToData("dev.ferry", "DEBUG").build()).create();
            client.configMaps().inNamespace("other").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("ferry-logging").endMetadata().addToData("dev.ferry", "DEBUG").build()).create();

            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> context.getLogger("dev.ferry").getLevel() == null);
        }
    }
}
