package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A custom resource version's {@code openAPIV3Schema} applied to a written object as a real API server
 * applies it (apiextensions-apiserver): defaults set where a field is missing, {@code null} dropped where
 * the schema does not allow it, unknown fields pruned (unless {@code x-kubernetes-preserve-unknown-fields}),
 * then types, required fields, enums, bounds, lengths, counts and patterns checked, then the
 * {@code x-kubernetes-validations} CEL rules evaluated where the object passed the schema, transition
 * rules ({@code oldSelf}) only where an old value exists. Rules ratchet as since Kubernetes 1.30: on an
 * update, a rule without {@code oldSelf} is not evaluated on a value equal to the old one (it passed, or
 * was written before the rule, and a status write must not fail on a spec it does not touch), and
 * {@code self == oldSelf} holds there without evaluation. {@code apiVersion}, {@code kind} and
 * {@code metadata} are the server's own and are never pruned; the name is checked as a DNS subdomain.
 * Formats are not checked (Ferry's CRDs use none), nor list types ({@code x-kubernetes-list-type}).
 */
final class StructuralSchema {
    private static final Set<String> SERVER_FIELDS = Set.of("apiVersion", "kind", "metadata");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private final JsonNode schema;
    private final CelRules rules;

    StructuralSchema(JsonNode openApiV3Schema, CelRules rules) {
        this.schema = openApiV3Schema;
        this.rules = rules;
    }

    /** What became of a written object: its field errors, and the unknown fields pruned from it. */
    record Outcome(List<FieldError> errors, List<String> unknownFields) {
    }

    /** Defaults and prunes {@code object} in place, then checks it against {@code old} (null on create). */
    Outcome admit(ObjectNode object, JsonNode old) {
        Walk walk = new Walk();
        String name = object.path("metadata").path("name").asText("");
        if (!name.isEmpty() && (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches())) {
            walk.errors.add(FieldError.invalid("metadata.name", object.path("metadata").get("name"),
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
                            + " '.', and must start and end with an alphanumeric character (e.g. 'example.com',"
                            + " regex used for validation is '" + DNS_SUBDOMAIN.pattern() + "')"));
        }
        walk.object(schema, object, old, "", true);
        if (walk.errors.isEmpty()) {
            walk.rules(schema, object, old, "", true, false);
        }
        return new Outcome(List.copyOf(walk.errors), List.copyOf(walk.unknown));
    }

    private final class Walk {
        final List<FieldError> errors = new ArrayList<>();
        final List<String> unknown = new ArrayList<>();

        /** Defaults, nulls, pruning and the schema's checks, depth first. */
        void value(JsonNode schema, JsonNode value, JsonNode old, String path) {
            if (!typeMatches(schema, value, path)) {
                return;
            }
            if (value.isObject()) {
                object(schema, (ObjectNode) value, old, path, false);
            } else if (value.isArray()) {
                array(schema, (ArrayNode) value, path);
            }
            scalarChecks(schema, value, path);
        }

        void object(JsonNode schema, ObjectNode object, JsonNode old, String path, boolean root) {
            JsonNode properties = schema.path("properties");
            properties.fields().forEachRemaining(p -> {
                if (!object.has(p.getKey()) && p.getValue().has("default")) {
                    object.set(p.getKey(), p.getValue().get("default").deepCopy());
                }
            });
            for (String field : fieldNames(object)) {
                if (root && SERVER_FIELDS.contains(field)) {
                    continue;
                }
                JsonNode fieldSchema = fieldSchema(schema, field);
                String fieldPath = join(path, field);
                JsonNode value = object.get(field);
                if (fieldSchema == null) {
                    if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                        unknown.add(fieldPath);
                        object.remove(field);
                    }
                } else if (value.isNull() && !fieldSchema.path("nullable").asBoolean(false)) {
                    object.remove(field); // null where the schema does not allow it is dropped, as pruned
                } else if (!value.isNull()) {
                    value(fieldSchema, value, old == null ? null : old.get(field), fieldPath);
                }
            }
            for (JsonNode required : schema.path("required")) {
                if (!object.has(required.asText())) {
                    errors.add(FieldError.required(join(path, required.asText())));
                }
            }
        }

        void array(JsonNode schema, ArrayNode array, String path) {
            JsonNode items = schema.get("items");
            if (items != null) {
                for (int i = 0; i < array.size(); i++) {
                    value(items, array.get(i), null, path + "[" + i + "]");
                }
            }
        }

        boolean typeMatches(JsonNode schema, JsonNode value, String path) {
            String type = schema.path("type").asText("");
            boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
            boolean matches = switch (type) {
                case "object" -> value.isObject();
                case "array" -> value.isArray();
                case "string" -> value.isTextual() || intOrString && value.isIntegralNumber();
                case "integer" -> value.isIntegralNumber() || value.isNumber() && value.asDouble() == Math.rint(value.asDouble());
                case "number" -> value.isNumber();
                case "boolean" -> value.isBoolean();
                default -> !intOrString || value.isTextual() || value.isIntegralNumber();
            };
            if (!matches) {
                String expected = intOrString ? "integer or string" : type;
                errors.add(FieldError.invalid(path, jsonType(value), path + " in body must be of type " + expected
                        + ": " + jsonType(value)));
            }
            return matches;
        }

        void scalarChecks(JsonNode schema, JsonNode value, String path) {
            JsonNode allowed = schema.get("enum");
            if (allowed != null && allowed.isArray() && !contains(allowed, value)) {
                errors.add(FieldError.unsupported(path, value, allowed));
            }
            if (value.isNumber()) {
                bounds(schema, value, path);
            }
            if (value.isTextual()) {
                String text = value.asText();
                long length = text.codePointCount(0, text.length());
                if (schema.has("maxLength") && length > schema.get("maxLength").asLong()) {
                    errors.add(FieldError.tooLong(path, schema.get("maxLength").asLong()));
                }
                if (schema.has("minLength") && length < schema.get("minLength").asLong()) {
                    errors.add(FieldError.invalid(path, value, path + " in body should be at least "
                            + schema.get("minLength").asLong() + " chars long"));
                }
                if (schema.has("pattern")) {
                    String pattern = schema.get("pattern").asText();
                    if (!PATTERNS.computeIfAbsent(pattern, Pattern::compile).matcher(text).find()) {
                        errors.add(FieldError.invalid(path, value, path + " in body should match '" + pattern + "'"));
                    }
                }
            }
            if (value.isArray()) {
                if (schema.has("maxItems") && value.size() > schema.get("maxItems").asLong()) {
                    errors.add(FieldError.tooMany(path, value.size(), schema.get("maxItems").asLong()));
                }
                if (schema.has("minItems") && value.size() < schema.get("minItems").asLong()) {
                    errors.add(FieldError.invalid(path, value, path + " in body should have at least "
                            + schema.get("minItems").asLong() + " items"));
                }
            }
        }

        void bounds(JsonNode schema, JsonNode value, String path) {
            double number = value.asDouble();
            if (schema.has("minimum")) {
                double minimum = schema.get("minimum").asDouble();
                boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
                if (exclusive ? number <= minimum : number < minimum) {
                    errors.add(FieldError.invalid(path, value, path + " in body should be greater than "
                            + (exclusive ? "" : "or equal to ") + schema.get("minimum")));
                }
            }
            if (schema.has("maximum")) {
                double maximum = schema.get("maximum").asDouble();
                boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
                if (exclusive ? number >= maximum : number > maximum) {
                    errors.add(FieldError.invalid(path, value, path + " in body should be less than "
                            + (exclusive ? "" : "or equal to ") + schema.get("maximum")));
                }
            }
        }

        /**
         * The CEL rules, children first, on an object that passed the schema; {@code unchanged}: an
         * enclosing value equals its old value, so this one does too.
         */
        void rules(JsonNode schema, JsonNode value, JsonNode old, String path, boolean root, boolean unchanged) {
            boolean same = unchanged || old != null && value.equals(old);
            if (value.isObject()) {
                value.fields().forEachRemaining(f -> {
                    JsonNode fieldSchema = root && SERVER_FIELDS.contains(f.getKey()) ? null
                            : fieldSchema(schema, f.getKey());
                    if (fieldSchema != null && !f.getValue().isNull()) {
                        rules(fieldSchema, f.getValue(), old == null ? null : old.get(f.getKey()),
                                join(path, f.getKey()), false, same);
                    }
                });
            } else if (value.isArray() && schema.has("items")) {
                for (int i = 0; i < value.size(); i++) {
                    rules(schema.get("items"), value.get(i), null, path + "[" + i + "]", false, same);
                }
            }
            for (JsonNode validation : schema.path("x-kubernetes-validations")) {
                String failure = rules.failure(validation, value, old, same);
                if (failure != null) {
                    String field = join(path, validation.path("fieldPath").asText("").replaceFirst("^\\.", ""));
                    errors.add(new FieldError(field.isEmpty() ? "<nil>" : field,
                            validation.path("reason").asText("FieldValueInvalid"),
                            "Invalid value: " + FieldError.shown(value) + ": " + failure));
                }
            }
        }
    }

    private static JsonNode fieldSchema(JsonNode schema, String field) {
        JsonNode declared = schema.path("properties").get(field);
        if (declared != null) {
            return declared;
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            return additional;
        }
        return additional != null && additional.asBoolean(false) ? JsonNodeFactory.instance.objectNode() : null;
    }

    private static boolean contains(JsonNode allowed, JsonNode value) {
        for (JsonNode candidate : allowed) {
            if (candidate.equals(value) || candidate.isNumber() && value.isNumber()
                    && candidate.asDouble() == value.asDouble()) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode jsonType(JsonNode value) {
        String type = value.isObject() ? "object" : value.isArray() ? "array" : value.isTextual() ? "string"
                : value.isIntegralNumber() ? "integer" : value.isNumber() ? "number" : value.isBoolean() ? "boolean"
                : "null";
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(type);
    }

    private static List<String> fieldNames(ObjectNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : field.isEmpty() ? path : path + "." + field;
    }
}
