package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public face of the local API. The mock server can only answer with complete bodies or a
 * WebSocket upgrade, while kubectl (and Fabric8 clients falling back from WebSockets) watch with a
 * long-lived chunked HTTP response. This server answers {@code ?watch=true} requests itself
 * ({@link HttpWatch}) and passes every other request through to the mock unchanged.
 */
final class ApiFrontServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiFrontServer.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Headers the JDK client sets itself or refuses; hop-by-hop headers are not forwarded either. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "http2-settings", "keep-alive", "te", "trailer", "transfer-encoding", "proxy-connection");

    static final String NODELAY = "sun.net.httpserver.nodelay";

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI backend;
    private final HttpClient http;
    private final KubernetesClient backendClient;
    private final TableBuilder tables;
    private final HttpWatch.Deletions deletions;

    private ApiFrontServer(HttpServer server, ExecutorService executor, URI backend, KubernetesClient backendClient,
            TableBuilder tables, HttpWatch.Deletions deletions) {
        this.server = server;
        this.deletions = deletions;
        this.executor = executor;
        this.backend = backend;
        this.backendClient = backendClient;
        this.tables = tables;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
    }

    /** Listens on 127.0.0.1:{@code port} (0 = any free port) in front of the mock at {@code backend}. */
    static ApiFrontServer start(int port, URI backend, KubernetesClient backendClient, TableBuilder tables,
            HttpWatch.Deletions deletions) throws IOException {
        // The JDK server leaves Nagle's algorithm on: each small response then waits for the client's
        // delayed ACK, ~40 ms per request, which the control plane pays on every status write. The
        // property is read once, when the first server of this JVM is made.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        ExecutorService executor = Executors.newCachedThreadPool(
                BasicThreadFactory.builder().namingPattern("ferry-local-api-%d").daemon(true).build());
        ApiFrontServer front = new ApiFrontServer(server, executor, backend, backendClient, tables, deletions);
        server.setExecutor(executor);
        server.createContext("/", front::handle);
        server.start();
        return front;
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        String target = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        RequestPath path = RequestPath.parse(target);
        try {
            if ("websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Upgrade"))) {
                // A 200 to the handshake makes Fabric8 clients fall back to HTTP watches, served below.
                send(exchange, 200, ApiResponses.status(200, "BadRequest",
                        "the local Ferry API serves watches over plain HTTP, not WebSockets"));
            } else if (exchange.getRequestMethod().equals("GET") && path.isWatch()) {
                new HttpWatch(backendClient, catalog(), tables, deletions).serve(exchange, path);
            } else {
                proxy(exchange, target);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("request {} {} failed: {}", exchange.getRequestMethod(), target, e.toString());
            exchange.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        }
    }

    private void proxy(HttpExchange exchange, String target) throws IOException, InterruptedException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(backend.resolve(target))
                .method(exchange.getRequestMethod(), body.length == 0 && !hasBody(exchange)
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                header.getValue().forEach(value -> request.header(header.getKey(), value));
            }
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        response.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, new ArrayList<>(values));
            }
        });
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        boolean empty = length == 0 || response.statusCode() == 204 || response.statusCode() == 304
                || exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.statusCode(), empty ? -1 : Math.max(length, 0));
        try (InputStream in = response.body(); OutputStream out = exchange.getResponseBody()) {
            if (!empty) {
                in.transferTo(out);
            }
        }
    }

    private static boolean hasBody(HttpExchange exchange) {
        return exchange.getRequestHeaders().containsKey("Content-Type")
                || exchange.getRequestHeaders().containsKey("Content-Length");
    }

    /** The catalog as stored now, read from the mock (printer columns and scopes for watches). */
    private ResourceCatalog catalog() throws IOException, InterruptedException {
        HttpResponse<byte[]> crds = http.send(HttpRequest.newBuilder(backend.resolve(ResourceCatalog.CRDS_PATH))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        List<JsonNode> items = new ArrayList<>();
        if (crds.statusCode() == 200) {
            MAPPER.readTree(crds.body()).path("items").forEach(items::add);
        }
        return ResourceCatalog.of(items);
    }

    static void send(HttpExchange exchange, int code, MockResponse response) throws IOException {
        byte[] body = response.getBody().getBytes();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
