package dev.ferry.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Checks the events a job published against their contract, {@code ferry/events/ferry-event.schema.json}
 * (in the api jar; draft 2020-12, {@code format} asserted), as a consumer reads them from Kafka. Each
 * method returns what is wrong, empty when the event is valid, so a test can say
 * {@code assertThat(EventSchema.violations(record.value())).isEmpty()}. See docs/events.md.
 */
public final class EventSchema {
    public static final String RESOURCE = "ferry/events/ferry-event.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = load();

    private EventSchema() {
    }

    /** A structured-mode record value: the whole CloudEvent as JSON. */
    public static List<String> violations(byte[] structuredJson) {
        try {
            return violations(JSON.readTree(structuredJson));
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
    }

    /** A structured event already parsed. */
    public static List<String> violations(JsonNode event) {
        return SCHEMA.validate(event).stream().map(Error::toString).toList();
    }

    /**
     * A binary-mode record: the attributes as {@code ce_*} headers ({@code ce_id}, {@code ce_type}, ...),
     * {@code content-type} as {@code datacontenttype}, the value the event's data.
     */
    public static List<String> binaryViolations(Map<String, byte[]> headers, byte[] value) {
        ObjectNode event = JSON.createObjectNode();
        headers.forEach((name, bytes) -> attribute(event, name, bytes));
        return withData(event, value);
    }

    /**
     * A record in either mode, decided as the CloudEvents Kafka binding does: a {@code ce_specversion}
     * header means binary mode, otherwise the value is a structured event.
     */
    public static List<String> violations(Headers headers, byte[] value) {
        if (headers.lastHeader("ce_specversion") == null) {
            return violations(value);
        }
        ObjectNode event = JSON.createObjectNode();
        for (Header header : headers) {
            attribute(event, header.key(), header.value());
        }
        return withData(event, value);
    }

    private static void attribute(ObjectNode event, String header, byte[] bytes) {
        String text = bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        if (header.startsWith("ce_")) {
            event.put(header.substring(3), text);
        } else if (header.equalsIgnoreCase("content-type")) {
            event.put("datacontenttype", text);
        }
    }

    private static List<String> withData(ObjectNode event, byte[] value) {
        if (value != null && value.length > 0) {
            try {
                event.set("data", JSON.readTree(value));
            } catch (IOException e) {
                return List.of("the value of a binary-mode record is not JSON: " + e.getMessage());
            }
        }
        return violations(event);
    }

    private static Schema load() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                        .formatAssertionsEnabled(true).build()));
        try (InputStream in = EventSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath (it comes with ferry-api)");
            }
            return registry.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
