package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@code meta.k8s.io/v1 Table} that {@code kubectl get} asks for (server-side
 * printing), the way the API server's CRD table converter does: a Name column first, then the
 * printer columns, each cell evaluated from its JSONPath and typed by the column type; dates are
 * rendered as ages ("5m", "2d3h").
 */
public final class TableBuilder {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Clock clock;

    public TableBuilder(Clock clock) {
        this.clock = clock;
    }

    /**
     * The columns for a resource (null: one the catalog does not know): those the API server prints
     * for pods and events; else Name, then the CRD's printer columns, or Name and Age when it has none.
     */
    public static List<PrinterColumn> columns(ApiResource resource) {
        if (resource != null) {
            List<PrinterColumn> builtIn = BuiltInColumns.of(resource.group(), resource.plural());
            if (builtIn != null) {
                return builtIn;
            }
        }
        List<PrinterColumn> printerColumns = resource != null ? resource.printerColumns() : List.of();
        List<PrinterColumn> columns = new ArrayList<>();
        columns.add(PrinterColumn.NAME);
        columns.addAll(printerColumns.isEmpty() ? List.of(PrinterColumn.AGE) : printerColumns);
        return columns;
    }

    /** A table of the given objects (already the full column list, Name included). */
    public ObjectNode table(List<JsonNode> objects, List<PrinterColumn> columns, String resourceVersion) {
        ObjectNode table = JSON.objectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        if (resourceVersion != null && !resourceVersion.isEmpty()) {
            metadata.put("resourceVersion", resourceVersion);
        }
        ArrayNode definitions = table.putArray("columnDefinitions");
        for (PrinterColumn column : columns) {
            ObjectNode definition = definitions.addObject();
            definition.put("name", column.name());
            definition.put("type", column.type());
            definition.put("format", column.format());
            definition.put("description", column.description());
            definition.put("priority", column.priority());
        }
        ArrayNode rows = table.putArray("rows");
        Instant now = clock.instant();
        for (JsonNode object : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (PrinterColumn column : columns) {
                cells.add(cell(column, object, now));
            }
            row.set("object", object);
        }
        return table;
    }

    static JsonNode cell(PrinterColumn column, JsonNode object, Instant now) {
        List<JsonNode> results = column.source().evaluate(object, now);
        if (results.isEmpty()) {
            return NullNode.getInstance();
        }
        JsonNode value = results.get(0);
        switch (column.type()) {
            case "integer":
                return value.isNumber() ? JSON.numberNode(value.asLong()) : NullNode.getInstance();
            case "number":
                return value.isNumber() ? JSON.numberNode(value.asDouble()) : NullNode.getInstance();
            case "boolean":
                return value.isBoolean() ? value : NullNode.getInstance();
            case "date":
                return value.isTextual() ? JSON.textNode(age(value.asText(), now)) : NullNode.getInstance();
            default:
                // Like the API server, a string column prints whatever scalar it finds.
                return JSON.textNode(value.isValueNode() ? value.asText() : value.toString());
        }
    }

    static String age(String timestamp, Instant now) {
        try {
            return humanDuration(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<invalid>";
        }
    }

    /** Kubernetes' {@code duration.HumanDuration}, so ages read exactly as on a real cluster. */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = d.toMinutes();
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = d.toHours();
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long days = (hours / 24) % 365;
            return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
