package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A watch event written from the stored JSON, without parsing it, is the event a JSON writer would write. */
class HttpWatchLinesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void anEventLineIsOneLineOfAsciiJsonHoldingTheObjectAsStored() throws Exception {
        String stored = "{\"metadata\":{\"name\":\"Grüße 😀\"},\n \"status\":{\"note\":\"a\\\"b\\nc\"}}";

        byte[] line = HttpWatch.rawLine("MODIFIED", stored);

        String text = new String(line, StandardCharsets.US_ASCII);
        assertThat(text).endsWith("\n").doesNotContain("\r").hasLineCount(1);
        for (byte b : line) {
            assertThat(b & 0xff).as("ASCII only: a chunk split inside a character must not break it").isLessThan(0x80);
        }
        assertThat(MAPPER.readTree(text)).isEqualTo(MAPPER.readTree(
                "{\"type\":\"MODIFIED\",\"object\":" + stored + "}"));
        assertThat(MAPPER.readTree(text).path("object").path("metadata").path("name").asText()).isEqualTo("Grüße 😀");
    }
}
