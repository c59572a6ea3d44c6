package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * One column of a {@code kubectl get} table: a CRD's additionalPrinterColumn, a column the API server
 * prints for a built-in kind ({@link BuiltInColumns}), or the Name/Age columns every resource has.
 */
public record PrinterColumn(String name, String type, String format, String description, int priority,
        CellSource source) {

    /** Where a cell's value comes from: a JSONPath, or (built-in kinds) a value computed from the object. */
    @FunctionalInterface
    public interface CellSource {
        /** The values found ({@code now} for ages); the first one is printed, none prints as empty. */
        List<JsonNode> evaluate(JsonNode object, Instant now);
    }

    /** A JSONPath as a cell source; compiled now, so a path the local API cannot evaluate fails early. */
    static CellSource path(String expression) {
        SimpleJsonPath path = SimpleJsonPath.compile(expression);
        return (object, now) -> path.evaluate(object);
    }

    static final PrinterColumn NAME = new PrinterColumn("Name", "string", "name",
            "Name must be unique within a namespace.", 0, path(".metadata.name"));
    static final PrinterColumn AGE = new PrinterColumn("Age", "date", "",
            "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
            path(".metadata.creationTimestamp"));

    /** Reads one entry of a CRD version's {@code additionalPrinterColumns}. */
    static PrinterColumn fromCrd(JsonNode column) {
        return new PrinterColumn(column.path("name").asText(), column.path("type").asText("string"),
                column.path("format").asText(""), column.path("description").asText(""),
                column.path("priority").asInt(0), path(column.path("jsonPath").asText()));
    }

    /** The same column at another priority (1 and above: shown by {@code -o wide} only). */
    PrinterColumn withPriority(int priority) {
        return new PrinterColumn(name, type, format, description, priority, source);
    }
}
