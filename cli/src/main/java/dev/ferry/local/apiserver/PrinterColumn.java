package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One column of a {@code kubectl get} table: a CRD's additionalPrinterColumn, or the Name/Age
 * columns every resource has.
 */
public record PrinterColumn(String name, String type, String format, String description, int priority,
        SimpleJsonPath jsonPath) {

    static final PrinterColumn NAME = new PrinterColumn("Name", "string", "name",
            "Name must be unique within a namespace.", 0, SimpleJsonPath.compile(".metadata.name"));
    static final PrinterColumn AGE = new PrinterColumn("Age", "date", "",
            "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
            SimpleJsonPath.compile(".metadata.creationTimestamp"));

    /** Reads one entry of a CRD version's {@code additionalPrinterColumns}. */
    static PrinterColumn fromCrd(JsonNode column) {
        return new PrinterColumn(column.path("name").asText(), column.path("type").asText("string"),
                column.path("format").asText(""), column.path("description").asText(""),
                column.path("priority").asInt(0), SimpleJsonPath.compile(column.path("jsonPath").asText()));
    }
}
