package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What is wrong with one field of a written object, in the words of the real API server's field errors
 * ({@code k8s.io/apimachinery/pkg/util/validation/field}): {@code reason} is the {@code Status} cause's,
 * {@code body} its message, so that {@code kubectl} prints what it prints against a cluster.
 */
record FieldError(String field, String reason, String body) {

    static FieldError required(String field) {
        return new FieldError(field, "FieldValueRequired", "Required value");
    }

    static FieldError invalid(String field, JsonNode value, String detail) {
        return new FieldError(field, "FieldValueInvalid", "Invalid value: " + shown(value) + ": " + detail);
    }

    static FieldError unsupported(String field, JsonNode value, JsonNode supported) {
        StringBuilder values = new StringBuilder();
        supported.forEach(v -> values.append(values.length() == 0 ? "" : ", ").append(v.toString()));
        return new FieldError(field, "FieldValueNotSupported", "Unsupported value: " + value.toString()
                + ": supported values: " + values);
    }

    static FieldError tooLong(String field, long max) {
        return new FieldError(field, "FieldValueTooLong", "Too long: may not be more than " + max + " bytes");
    }

    static FieldError tooMany(String field, int actual, long max) {
        return new FieldError(field, "FieldValueTooMany", "Too many: " + actual + ": must have at most " + max
                + " items");
    }

    /** The whole line, as in the {@code Status} message. */
    String text() {
        return field + ": " + body;
    }

    /** A value as the API server shows it in a message: scalars as JSON, composite ones by their type. */
    static String shown(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isObject()) {
            return "\"object\"";
        }
        if (value.isArray()) {
            return "\"array\"";
        }
        return value.toString();
    }
}
