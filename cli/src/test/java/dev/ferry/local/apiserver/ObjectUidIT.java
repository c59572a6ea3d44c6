package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The UIDs of the local API's objects do not start from 1 in every process, as the CRUD mock's own do:
 * two local runs (two `ferry migrate`) never give two jobs the same UID, which their event ids and the
 * {@code ferry-job} marker on their objects depend on.
 */
class ObjectUidIT {

    @Test
    void objectUidsStartAtARandomPointNotAtOne() throws Exception {
        String first = createdUid();
        String second = createdUid();

        assertThat(first).isNotEqualTo(second);
        // a fresh process of the bare mock would give 00000000-0000-0000-0000-00000000000N
        assertThat(UUID.fromString(first).getLeastSignificantBits()).isGreaterThan(1L << 32);
        assertThat(UUID.fromString(second).getLeastSignificantBits()).isGreaterThan(1L << 32);
    }

    private static String createdUid() throws Exception {
        try (LocalKubernetesApi api = LocalKubernetesApi.start(0)) {
            ConfigMap created = api.client().configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                    .withNewMetadata().withName("same-name").endMetadata().addToData("k", "v").build()).create();
            ConfigMap read = api.client().configMaps().inNamespace("default").withName("same-name").get();
            assertThat(read.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
            return read.getMetadata().getUid();
        }
    }
}
