package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * A Kubernetes object decoded from protobuf, written as the JSON the API server would have received:
 * the generated {@code .proto} files name fields as the JSON does, so the walk is generic, except for
 * the apimachinery types whose JSON is not their message shape (times as RFC 3339 strings,
 * int-or-string, quantities, raw extensions). Go writes every non-pointer field to protobuf, empty or
 * not, but leaves empty strings out of JSON ({@code omitempty}); empty strings are therefore dropped
 * here, except as map values and list items, where they mean something.
 */
final class ProtoJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private ProtoJson() {
    }

    static ObjectNode object(Message message) {
        ObjectNode object = JSON.objectNode();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.isMapField()) {
                List<?> entries = (List<?>) message.getField(field);
                if (!entries.isEmpty()) {
                    ObjectNode map = object.putObject(field.getName());
                    for (Object entry : entries) {
                        Message pair = (Message) entry;
                        FieldDescriptor key = pair.getDescriptorForType().findFieldByNumber(1);
                        FieldDescriptor value = pair.getDescriptorForType().findFieldByNumber(2);
                        map.set(String.valueOf(pair.getField(key)), value(value, pair.getField(value)));
                    }
                }
            } else if (field.isRepeated()) {
                if (message.getRepeatedFieldCount(field) > 0) {
                    ArrayNode array = object.putArray(field.getName());
                    for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
                        array.add(value(field, message.getRepeatedField(field, i)));
                    }
                }
            } else if (message.hasField(field)) {
                JsonNode value = value(field, message.getField(field));
                if (value != null && !(value.isTextual() && value.asText().isEmpty())) {
                    object.set(field.getName(), value);
                }
            }
        }
        return object;
    }

    /** One value as JSON; null when it stands for "not set" (a zero time). */
    private static JsonNode value(FieldDescriptor field, Object value) {
        switch (field.getJavaType()) {
            case MESSAGE:
                return message((Message) value);
            case BYTE_STRING:
                return JSON.textNode(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
            case STRING:
                return JSON.textNode((String) value);
            case BOOLEAN:
                return JSON.booleanNode((Boolean) value);
            case INT:
                return JSON.numberNode((Integer) value);
            case LONG:
                return JSON.numberNode((Long) value);
            case FLOAT:
                return JSON.numberNode((Float) value);
            case DOUBLE:
                return JSON.numberNode((Double) value);
            default:
                return JSON.textNode(String.valueOf(value));
        }
    }

    private static JsonNode message(Message message) {
        String type = message.getDescriptorForType().getFullName();
        switch (type) {
            case META + "Time":
            case META + "MicroTime": {
                long seconds = (Long) field(message, "seconds");
                int nanos = (Integer) field(message, "nanos");
                if (seconds == 0 && nanos == 0) {
                    return null; // Go's zero time: JSON null, left out
                }
                Instant instant = Instant.ofEpochSecond(seconds, nanos);
                return JSON.textNode(type.endsWith("MicroTime") ? MICRO_TIME.format(instant)
                        : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
            }
            case META + "Duration":
                return JSON.textNode(GoDuration.format((Long) field(message, "duration")));
            case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
                return ((Long) field(message, "type")) == 1L
                        ? JSON.textNode((String) field(message, "strVal"))
                        : JSON.numberNode((Integer) field(message, "intVal"));
            case "k8s.io.apimachinery.pkg.api.resource.Quantity":
                return JSON.textNode((String) field(message, "string"));
            case "k8s.io.apimachinery.pkg.runtime.RawExtension":
                return raw((ByteString) field(message, "raw"));
            case META + "FieldsV1":
                return raw((ByteString) field(message, "Raw"));
            default:
                if (message.getDescriptorForType().getName().equals("ExtraValue")) {
                    // map<string, ExtraValue> in reviews: a list of strings in JSON
                    FieldDescriptor items = message.getDescriptorForType().findFieldByName("items");
                    ArrayNode array = JSON.arrayNode();
                    for (int i = 0; i < message.getRepeatedFieldCount(items); i++) {
                        array.add((String) message.getRepeatedField(items, i));
                    }
                    return array;
                }
                return object(message);
        }
    }

    private static Object field(Message message, String name) {
        return message.getField(message.getDescriptorForType().findFieldByName(name));
    }

    /** Embedded JSON (raw extensions, managed fields) as the object it is. */
    private static JsonNode raw(ByteString bytes) {
        if (bytes.isEmpty()) {
            return null;
        }
        try {
            return MAPPER.readTree(bytes.toByteArray());
        } catch (IOException e) {
            return JSON.textNode(Base64.getEncoder().encodeToString(bytes.toByteArray()));
        }
    }

    /** Go's {@code time.Duration.String()} for whole units: "1h2m3s", "1.5s", "0s". */
    static final class GoDuration {
        private GoDuration() {
        }

        static String format(long nanos) {
            if (nanos == 0) {
                return "0s";
            }
            StringBuilder text = new StringBuilder(nanos < 0 ? "-" : "");
            long n = Math.abs(nanos);
            long hours = n / 3_600_000_000_000L;
            long minutes = n / 60_000_000_000L % 60;
            long fraction = n % 60_000_000_000L;
            if (hours > 0) {
                text.append(hours).append('h');
            }
            if (hours > 0 || minutes > 0) {
                text.append(minutes).append('m');
            }
            text.append(java.math.BigDecimal.valueOf(fraction, 9).stripTrailingZeros().toPlainString()).append('s');
            return text.toString();
        }
    }
}
