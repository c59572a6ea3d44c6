package dev.ferry.api.events;

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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Checks events against {@code ferry/events/ferry-event.schema.json} (draft 2020-12, with {@code format}
 * asserted: uuid, date-time, uri), as a consumer reads them: a structured record value, or the
 * {@code ce_*} headers and value of a binary one. (e2e has its own copy, {@code dev.ferry.e2e.EventSchema}.)
 */
final class EventSchemaValidator {
    static final String RESOURCE = "ferry/events/ferry-event.schema.json";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema SCHEMA = load();

    private EventSchemaValidator() {
    }

    /** The schema as a JSON tree, for tests that compare it with the Java model. */
    static JsonNode schemaNode() {
        return SCHEMA.getSchemaNode();
    }

    /** What is wrong with a structured event (the record value); empty when it is valid. */
    static List<String> violations(byte[] structuredJson) {
        try {
            return violations(JSON.readTree(structuredJson));
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
    }

    static List<String> violations(JsonNode event) {
        return SCHEMA.validate(event).stream().map(Error::toString).toList();
    }

    /**
     * What is wrong with the event of a Kafka record in either mode. A {@code ce_specversion} header marks
     * binary mode (CloudEvents Kafka binding): its attributes are rebuilt from the {@code ce_*} headers
     * ({@code content-type} is {@code datacontenttype}) and the value is its data; otherwise the value is
     * the structured event.
     */
    static List<String> violations(Headers headers, byte[] value) {
        if (headers.lastHeader("ce_specversion") == null) {
            return violations(value);
        }
        ObjectNode event = JSON.createObjectNode();
        for (Header header : headers) {
            String text = header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
            if (header.key().startsWith("ce_")) {
                event.put(header.key().substring(3), text);
            } else if (header.key().equalsIgnoreCase("content-type")) {
                event.put("datacontenttype", text);
            }
        }
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
        try (InputStream in = EventSchemaValidator.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            return registry.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
