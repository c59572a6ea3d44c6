package dev.ferry.local.apiserver;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plain HTTP streaming watch ({@code GET ...?watch=true}), the kind kubectl and Fabric8's HTTP watch
 * manager open: a {@link LiveWatch} of the store, each event written as one JSON line, flushed after
 * every batch the watch had waiting. Honours labelSelector and a name (matched by the store), any other
 * fieldSelector (evaluated here), timeoutSeconds, Table output for {@code kubectl get -w}, and
 * resourceVersion: every object in scope is first replayed as ADDED, as the mock did, less those not
 * newer than the requested version (the watcher already has them from its list), and the objects deleted
 * since that version come first as DELETED events from the {@link DeletionHistory} (or, when it no longer
 * reaches back that far, a 410 Gone that makes the watcher list again).
 */
final class HttpWatch {
    /** Opens a live watch of a target (collection with labelSelector, or one object) resuming from a version. */
    @FunctionalInterface
    interface Source {
        Start watch(String target, long since);
    }

    /**
     * A watch as opened, atomically with respect to writes: the live events to come, the objects in scope
     * when it opened (their JSON), and the deletions after the version asked for (empty: history too short).
     */
    record Start(LiveWatch live, List<String> existing, Optional<List<DeletionHistory.Deletion>> missed) {
    }

    /**
     * Events are written with non-ASCII characters escaped: a client that decodes each received
     * chunk on its own (Fabric8's HTTP watch does) would otherwise break a multi-byte character
     * split across chunks — file names with umlauts did exactly that.
     */
    private static final ObjectMapper ASCII_JSON = new ObjectMapper()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII.mappedFeature());
    private static final Logger LOG = LoggerFactory.getLogger(HttpWatch.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Real API servers end watches after a while too; clients re-list or re-watch. */
    private static final Duration MAX_DURATION = Duration.ofMinutes(30);

    private final Source source;
    private final ResourceCatalog catalog;
    private final TableBuilder tables;

    HttpWatch(Source source, ResourceCatalog catalog, TableBuilder tables) {
        this.source = source;
        this.catalog = catalog;
        this.tables = tables;
    }

    /** Streams events until the client goes away, the watch ends or its timeout passes. */
    void serve(HttpExchange exchange, RequestPath path) throws IOException {
        RequestPath.Resource target = path.resource();
        if (target == null) {
            ApiFrontServer.send(exchange, 404, ApiResponses.status(404, "NotFound", "not a resource: " + path.path()));
            return;
        }
        ApiResource resource = catalog.find(target.group(), target.version(), target.plural()).orElse(null);
        FieldSelector fieldSelector = FieldSelector.parse(path.query("fieldSelector"));
        String name = target.name() != null ? target.name() : fieldSelector.name();
        long sinceVersion = parseVersion(path.query("resourceVersion"));
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        List<PrinterColumn> columns = accept != null && accept.contains("as=Table")
                ? TableBuilder.columns(resource) : null;
        Lines lines = new Lines(fieldSelector, columns);

        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
        exchange.sendResponseHeaders(200, 0);
        long deadline = System.nanoTime() + timeout(path).toNanos();
        String labels = path.query("labelSelector");
        Start start = source.watch(target.collectionPath() + (name == null ? "" : "/" + name)
                + (labels == null || labels.isEmpty() ? "" : "?labelSelector=" + URLEncoder.encode(labels, StandardCharsets.UTF_8)),
                sinceVersion);
        try (OutputStream out = exchange.getResponseBody()) {
            if (start.missed().isEmpty()) {
                out.write(line(gone(sinceVersion)));
                return;
            }
            for (DeletionHistory.Deletion deletion : start.missed().get()) {
                ObjectNode deleted = deletedEvent(deletion, fieldSelector, columns);
                if (deleted != null) {
                    out.write(line(deleted));
                }
            }
            for (String existing : start.existing()) {
                if (sinceVersion == 0 || version(existing) > sinceVersion) {
                    lines.write(out, "ADDED", existing);
                }
            }
            out.flush();
            while (true) {
                long left = deadline - System.nanoTime();
                List<LiveWatch.Event> events = left > 0 ? start.live().take(left, TimeUnit.NANOSECONDS) : null;
                if (events == null || (events.isEmpty() && deadline - System.nanoTime() <= 0)) {
                    if (start.live().overflowed()) {
                        LOG.info("watch {} ended: its client fell {} events behind", path, LiveWatches.CAPACITY);
                    }
                    return;
                }
                for (LiveWatch.Event event : events) {
                    lines.write(out, event.type(), event.json());
                }
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("watch client of {} gone: {}", path, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            start.live().close();
            exchange.close();
        }
    }

    /**
     * Writes events as JSON lines. Most watches (an informer's) ask for plain objects, selected by labels
     * or name only: the stored JSON is then written as it is, without being parsed, its non-ASCII
     * characters escaped. A field selector or Table output needs the object parsed.
     */
    private final class Lines {
        private final FieldSelector fieldSelector;
        private final List<PrinterColumn> columns;

        Lines(FieldSelector fieldSelector, List<PrinterColumn> columns) {
            this.fieldSelector = fieldSelector;
            this.columns = columns;
        }

        void write(OutputStream out, String type, String json) throws IOException {
            if (columns == null && fieldSelector.isEmpty()) {
                out.write(rawLine(type, json));
                return;
            }
            JsonNode object = readTree(json);
            if (object == null || !fieldSelector.matches(object)) {
                return;
            }
            ObjectNode event = JsonNodeFactory.instance.objectNode();
            event.put("type", type);
            event.set("object", columns == null ? object
                    : tables.table(List.of(object), columns, object.path("metadata").path("resourceVersion").asText("")));
            out.write(line(event));
        }
    }

    /**
     * {@code {"type":TYPE,"object":JSON}} and a newline, in ASCII: a character past ASCII can only stand in
     * a JSON string, where its escape (backslash, u, four hex digits) means the same; a line break can only stand between
     * tokens, where a space means the same.
     */
    static byte[] rawLine(String type, String json) {
        StringBuilder line = new StringBuilder(json.length() + type.length() + 24);
        line.append("{\"type\":\"").append(type).append("\",\"object\":");
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c < 0x80) {
                line.append(c == '\n' || c == '\r' ? ' ' : c);
            } else {
                line.append("\\u").append(String.format("%04x", (int) c));
            }
        }
        return line.append("}\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A DELETED event for a missed deletion, at the deletion's version; null when the watch does not cover it. */
    private ObjectNode deletedEvent(DeletionHistory.Deletion deletion, FieldSelector fieldSelector,
            List<PrinterColumn> columns) {
        JsonNode json = readTree(deletion.json());
        if (json == null || !fieldSelector.matches(json)) {
            return null;
        }
        ((ObjectNode) json.path("metadata")).put("resourceVersion", Long.toString(deletion.version()));
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("type", "DELETED");
        event.set("object", columns == null ? json
                : tables.table(List.of(json), columns, Long.toString(deletion.version())));
        return event;
    }

    /** What a real API server sends when it no longer has the events since a version: list again. */
    private static ObjectNode gone(long since) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("status", "Failure");
        status.put("message", "too old resource version: " + since);
        status.put("reason", "Expired");
        status.put("code", 410);
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("type", "ERROR");
        event.set("object", status);
        return event;
    }

    private static byte[] line(ObjectNode event) throws IOException {
        byte[] json = ASCII_JSON.writeValueAsBytes(event);
        byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    private static Duration timeout(RequestPath path) {
        String seconds = path.query("timeoutSeconds");
        if (seconds != null && seconds.matches("\\d+")) {
            Duration requested = Duration.ofSeconds(Long.parseLong(seconds));
            return requested.compareTo(MAX_DURATION) < 0 ? requested : MAX_DURATION;
        }
        return MAX_DURATION;
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            LOG.warn("unreadable watch event: {}", e.toString());
            return null;
        }
    }

    private static long version(String object) {
        JsonNode json = readTree(object);
        return json == null ? 0 : parseVersion(json.path("metadata").path("resourceVersion").asText(""));
    }

    private static long parseVersion(String version) {
        if (version == null || !version.matches("\\d+")) {
            return 0;
        }
        return Long.parseLong(version);
    }
}
