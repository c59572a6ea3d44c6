package dev.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a resource against a CRD's openAPIV3Schema as an API server admits it with {@code kubectl apply}'s
 * strict field validation: unknown fields, types, required fields, enums, patterns, ranges, lengths and item
 * counts, each problem named by its field path. Not checked: the CEL rules ({@code x-kubernetes-validations},
 * evaluated by the local API's admission in the cli module) and formats. A null counts as absent, as the API
 * server prunes it.
 */
final class CrdSchemaCheck {
    private static final YAMLMapper YAML = new YAMLMapper();

    private final String apiVersion;
    private final String kind;
    private final JsonNode schema;

    private CrdSchemaCheck(String apiVersion, String kind, JsonNode schema) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.schema = schema;
    }

    /** The check of the committed CRD {@code file} (one of {@link CrdResources#FILES}). */
    static CrdSchemaCheck of(String file) {
        try {
            JsonNode crd = YAML.readTree(CrdResources.read(file));
            JsonNode version = crd.at("/spec/versions/0");
            return new CrdSchemaCheck(crd.at("/spec/group").asText() + "/" + version.path("name").asText(),
                    crd.at("/spec/names/kind").asText(), version.at("/schema/openAPIV3Schema"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The problems of {@code resource}, empty when the API server would admit it (CEL rules aside). */
    List<String> problems(JsonNode resource) {
        List<String> problems = new ArrayList<>();
        if (!apiVersion.equals(resource.path("apiVersion").asText())) {
            problems.add("apiVersion: expected " + apiVersion + ", found " + resource.path("apiVersion"));
        }
        if (!kind.equals(resource.path("kind").asText())) {
            problems.add("kind: expected " + kind + ", found " + resource.path("kind"));
        }
        if (resource.path("metadata").path("name").asText("").isBlank()) {
            problems.add("metadata.name: Required value");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = resource.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (name.equals("apiVersion") || name.equals("kind") || name.equals("metadata")) {
                continue;
            }
            JsonNode property = schema.path("properties").path(name);
            if (property.isMissingNode()) {
                problems.add(name + ": unknown field");
            } else {
                check(name, field.getValue(), property, problems);
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!present(resource.path(required.asText()))) {
                problems.add(required.asText() + ": Required value");
            }
        }
        return problems;
    }

    private static void check(String path, JsonNode value, JsonNode schema, List<String> problems) {
        if (!present(value) || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) && !schema.has("type")) {
            return;
        }
        if (!typeMatches(value, schema)) {
            problems.add(path + ": expected " + expectedType(schema) + ", found " + value.getNodeType().name().toLowerCase());
            return;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : schema.get("enum")) {
                listed |= allowed.equals(value) || allowed.asText().equals(value.asText());
            }
            if (!listed) {
                problems.add(path + ": Unsupported value " + value + ", supported values: " + schema.get("enum"));
            }
        }
        if (value.isTextual()) {
            String text = value.asText();
            int length = text.codePointCount(0, text.length());
            if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
                problems.add(path + ": " + value + " does not match " + schema.get("pattern").asText());
            }
            if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
                problems.add(path + ": shorter than " + schema.get("minLength").asInt() + " characters");
            }
            if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
                problems.add(path + ": longer than " + schema.get("maxLength").asInt() + " characters");
            }
        }
        if (value.isNumber()) {
            if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
                problems.add(path + ": " + value + " is less than " + schema.get("minimum").asDouble());
            }
            if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
                problems.add(path + ": " + value + " is greater than " + schema.get("maximum").asDouble());
            }
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                problems.add(path + ": fewer than " + schema.get("minItems").asInt() + " items");
            }
            if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
                problems.add(path + ": more than " + schema.get("maxItems").asInt() + " items");
            }
            for (int i = 0; i < value.size(); i++) {
                check(path + "[" + i + "]", value.get(i), schema.path("items"), problems);
            }
        }
        if (value.isObject()) {
            checkObject(path, value, schema, problems);
        }
    }

    private static void checkObject(String path, JsonNode value, JsonNode schema, List<String> problems) {
        JsonNode additional = schema.path("additionalProperties");
        boolean keepsUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String fieldPath = path + "." + field.getKey();
            JsonNode property = schema.path("properties").path(field.getKey());
            if (!property.isMissingNode()) {
                check(fieldPath, field.getValue(), property, problems);
            } else if (additional.isObject()) {
                check(fieldPath, field.getValue(), additional, problems);
            } else if (!keepsUnknown) {
                problems.add(fieldPath + ": unknown field");
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!present(value.path(required.asText()))) {
                problems.add(path + "." + required.asText() + ": Required value");
            }
        }
    }

    private static boolean typeMatches(JsonNode value, JsonNode schema) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            return value.isIntegralNumber() || value.isTextual();
        }
        return switch (schema.path("type").asText("")) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> true;
        };
    }

    private static String expectedType(JsonNode schema) {
        return schema.path("x-kubernetes-int-or-string").asBoolean(false) ? "integer or string"
                : schema.path("type").asText("any");
    }

    private static boolean present(JsonNode value) {
        return !value.isMissingNode() && !value.isNull();
    }
}
