package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The resourceVersion a write names is its object's {@code metadata.resourceVersion}, and only that. */
class OptimisticConcurrencyTest {

    @Test
    void readsTheObjectsOwnResourceVersionWhereverMetadataStands() throws Exception {
        assertThat(version("{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"42\"},\"spec\":{}}")).isEqualTo("42");
        assertThat(version("{\"spec\":{\"metadata\":{\"resourceVersion\":\"1\"}},\"status\":[{\"resourceVersion\":\"2\"}],"
                + "\"metadata\":{\"labels\":{\"resourceVersion\":\"3\"},\"resourceVersion\":\"7\"}}")).isEqualTo("7");
        assertThat(version("{\"metadata\":{\"resourceVersion\":8}}")).as("a number, as asText reads it").isEqualTo("8");
    }

    @Test
    void namesNoneWhenTheBodyHasNone() throws Exception {
        assertThat(version("{\"metadata\":{\"name\":\"a\"},\"spec\":{\"resourceVersion\":\"9\"}}")).isEmpty();
        assertThat(version("{\"metadata\":{\"resourceVersion\":null}}")).isEmpty();
        assertThat(version("{\"metadata\":\"x\",\"resourceVersion\":\"5\"}")).isEmpty();
        assertThat(version("[{\"metadata\":{\"resourceVersion\":\"5\"}}]")).as("a JSON patch names none").isEmpty();
        assertThat(version("{}")).isEmpty();
    }

    private static String version(String body) throws Exception {
        return OptimisticConcurrency.resourceVersionIn(body.getBytes(StandardCharsets.UTF_8));
    }
}
