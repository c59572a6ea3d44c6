package dev.ferry.api.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class StrictResourceVersionsTest {
    KubernetesMockServer server;
    KubernetesClient client;

    private Pod created;

    @BeforeEach
    void aPod() {
        created = client.pods().inNamespace("ns").resource(new PodBuilder()
                .withNewMetadata().withName("p").endMetadata()
                .withNewStatus().withPhase("Pending").endStatus().build()).create();
    }

    @Test
    void aStatusWriteOfTheStoredVersionIsTaken() {
        Pod running = client.pods().inNamespace("ns").resource(withPhase(created, "Running")).updateStatus();

        assertThat(running.getMetadata().getResourceVersion()).isNotEqualTo(created.getMetadata().getResourceVersion());
        assertThat(stored().getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void aStatusWriteOfAStaleVersionIsRefusedWithConflictAndChangesNothing() {
        client.pods().inNamespace("ns").resource(withPhase(created, "Running")).updateStatus();

        assertThatThrownBy(() -> client.pods().inNamespace("ns").resource(withPhase(created, "Failed")).updateStatus())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(stored().getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void anObjectWriteOfAStaleVersionIsRefusedWithConflict() {
        client.pods().inNamespace("ns").resource(withPhase(created, "Running")).updateStatus();
        Pod stale = new PodBuilder(created).editMetadata().addToLabels("a", "b").endMetadata().build();

        assertThatThrownBy(() -> client.pods().inNamespace("ns").resource(stale).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(stored().getMetadata().getLabels()).isNullOrEmpty();
    }

    @Test
    void enforcingTwiceWrapsOnce() {
        Object fenced = StrictResourceVersions.dispatcherOf(server);

        StrictResourceVersions.enforce(server);

        assertThat(StrictResourceVersions.dispatcherOf(server)).isSameAs(fenced);
        client.pods().inNamespace("ns").resource(withPhase(created, "Running")).updateStatus();

        assertThatThrownBy(() -> client.pods().inNamespace("ns").resource(withPhase(created, "Failed")).updateStatus())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    }

    private Pod stored() {
        return client.pods().inNamespace("ns").withName("p").get();
    }

    private static Pod withPhase(Pod pod, String phase) {
        return new PodBuilder(pod).editStatus().withPhase(phase).endStatus().build();
    }
}
