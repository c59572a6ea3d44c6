package dev.ferry.local.apiserver;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plain HTTP streaming watch ({@code GET ...?watch=true}), the kind kubectl and Fabric8's
 * HTTP watch manager open: subscribed through a Fabric8 (WebSocket) watch on the mock, each event
 * written as one JSON line and flushed. Honours labelSelector (by the mock), any fieldSelector
 * (evaluated here), timeoutSeconds, Table output for {@code kubectl get -w}, and resourceVersion:
 * the mock replays every existing object as ADDED, so replayed objects not newer than the requested
 * version are dropped (the watcher already has them from its list), and the objects deleted since that
 * version, which the mock cannot replay, come first as DELETED events from the {@link DeletionHistory}
 * (or, when it no longer reaches back that far, a 410 Gone that makes the watcher list again).
 */
final class HttpWatch {
    /** The deletions after a version that a watch of a collection (path with labelSelector) covers. */
    @FunctionalInterface
    interface Deletions {
        Optional<List<DeletionHistory.Deletion>> after(long since, String collection);

        Deletions NONE = (since, collection) -> Optional.of(List.of());
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

    private final KubernetesClient backend;
    private final ResourceCatalog catalog;
    private final TableBuilder tables;
    private final Deletions deletions;

    HttpWatch(KubernetesClient backend, ResourceCatalog catalog, TableBuilder tables, Deletions deletions) {
        this.backend = backend;
        this.catalog = catalog;
        this.tables = tables;
        this.deletions = deletions;
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

        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        CountDownLatch ended = new CountDownLatch(1);
        // Live events wait here while the deletions the watcher missed are written first: an object
        // deleted and created again must end up present.
        List<byte[]> held = new ArrayList<>();
        boolean[] holding = {sinceVersion > 0};
        Watcher<GenericKubernetesResource> watcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, GenericKubernetesResource object) {
                JsonNode json = readTree(Serialization.asJson(object));
                if (json == null || !fieldSelector.matches(json)) {
                    return;
                }
                if (action == Action.ADDED && version(json) <= sinceVersion) {
                    return;
                }
                ObjectNode event = JsonNodeFactory.instance.objectNode();
                event.put("type", action.name());
                event.set("object", columns == null ? json
                        : tables.table(List.of(json), columns, json.path("metadata").path("resourceVersion").asText("")));
                synchronized (out) {
                    try {
                        byte[] line = line(event);
                        if (holding[0]) {
                            held.add(line);
                        } else {
                            out.write(line);
                            out.flush();
                        }
                    } catch (IOException e) {
                        ended.countDown();
                    }
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                LOG.debug("backend watch of {} closed: {}", path, cause.toString());
                ended.countDown();
            }
        };
        ListOptionsBuilder options = new ListOptionsBuilder();
        String labelSelector = path.query("labelSelector");
        if (labelSelector != null && !labelSelector.isEmpty()) {
            options.withLabelSelector(labelSelector);
        }
        if (name != null) {
            options.withFieldSelector("metadata.name=" + name);
        }
        boolean namespaced = resource != null ? resource.namespaced() : target.namespace() != null;
        ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                .withGroup(target.group()).withVersion(target.version()).withPlural(target.plural())
                .withKind(resource != null ? resource.kind() : null).withNamespaced(namespaced).build();
        var resources = backend.genericKubernetesResources(context);
        Watch watch = target.namespace() != null
                ? resources.inNamespace(target.namespace()).watch(options.build(), watcher)
                : namespaced ? resources.inAnyNamespace().watch(options.build(), watcher)
                : resources.watch(options.build(), watcher);
        if (holding[0]) {
            String labels = path.query("labelSelector");
            String collection = collectionPath(target) + (labels == null || labels.isEmpty() ? ""
                    : "?labelSelector=" + URLEncoder.encode(labels, StandardCharsets.UTF_8));
            Optional<List<DeletionHistory.Deletion>> missed = deletions.after(sinceVersion, collection);
            synchronized (out) {
                try {
                    if (missed.isEmpty()) {
                        out.write(line(gone(sinceVersion)));
                        ended.countDown();
                    } else {
                        for (DeletionHistory.Deletion deletion : missed.get()) {
                            ObjectNode deleted = deletedEvent(deletion, fieldSelector, name, columns);
                            if (deleted != null) {
                                out.write(line(deleted));
                            }
                        }
                        for (byte[] line : held) {
                            out.write(line);
                        }
                    }
                    out.flush();
                } catch (IOException e) {
                    ended.countDown();
                }
                holding[0] = false;
                held.clear();
            }
        }
        try {
            ended.await(timeout(path).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watch.close();
            synchronized (out) {
                try {
                    out.close();
                } catch (IOException e) {
                    LOG.debug("watch client already gone: {}", e.toString());
                }
            }
            exchange.close();
        }
    }

    /** A DELETED event for a missed deletion, at the deletion's version; null when the watch does not cover it. */
    private ObjectNode deletedEvent(DeletionHistory.Deletion deletion, FieldSelector fieldSelector, String name,
            List<PrinterColumn> columns) {
        JsonNode json = readTree(deletion.json());
        if (json == null || !fieldSelector.matches(json)
                || (name != null && !name.equals(json.path("metadata").path("name").asText()))) {
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

    /** The collection a watch covers, without its name: {@code /api/v1/namespaces/ns/pods}. */
    private static String collectionPath(RequestPath.Resource target) {
        StringBuilder path = new StringBuilder(target.group().isEmpty() ? "/api/" : "/apis/" + target.group() + "/");
        path.append(target.version());
        if (target.namespace() != null) {
            path.append("/namespaces/").append(target.namespace());
        }
        return path.append('/').append(target.plural()).toString();
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

    private static long version(JsonNode object) {
        return parseVersion(object.path("metadata").path("resourceVersion").asText(""));
    }

    private static long parseVersion(String version) {
        if (version == null || !version.matches("\\d+")) {
            return 0;
        }
        return Long.parseLong(version);
    }
}
