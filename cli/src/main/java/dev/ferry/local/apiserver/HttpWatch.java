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
import java.util.List;
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
 * version are dropped (the watcher already has them from its list).
 */
final class HttpWatch {
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

    HttpWatch(KubernetesClient backend, ResourceCatalog catalog, TableBuilder tables) {
        this.backend = backend;
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
                ? TableBuilder.columns(resource != null ? resource.printerColumns() : List.of()) : null;

        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        CountDownLatch ended = new CountDownLatch(1);
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
                        out.write(ASCII_JSON.writeValueAsBytes(event));
                        out.write('\n');
                        out.flush();
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
