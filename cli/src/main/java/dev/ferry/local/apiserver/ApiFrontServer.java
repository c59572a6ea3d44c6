package dev.ferry.local.apiserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public face of the local API. The mock server can only answer with complete bodies or a
 * WebSocket upgrade, while kubectl (and Fabric8 clients falling back from WebSockets) watch with a
 * long-lived chunked HTTP response. This server answers {@code ?watch=true} requests itself
 * ({@link HttpWatch}), and a pod's log ({@link PodLogs}: {@code kubectl logs}, {@code -f} a stream too), and hands
 * every other request to the mock's dispatcher in this process.
 *
 * <p>In process, not through the mock's own HTTP port: that hop cost each request a second HTTP
 * exchange, the mock's recording of the request and a string of request and response built for its
 * log (in the control-plane scale benchmark the mock's event loop took 25-40 CPU-s a run, 4 after).
 * {@link LocalApiDispatcher#dispatch} serialises its callers, as the mock's single event loop did, so
 * writes and the watch events they queue keep their order. Watches too are served in process, from the
 * store's {@link LiveWatches}, not through the mock's WebSocket watches.
 */
final class ApiFrontServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiFrontServer.class);
    /** Headers the JDK client sets itself or refuses; hop-by-hop headers are not forwarded either. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "http2-settings", "keep-alive", "te", "trailer", "transfer-encoding", "proxy-connection");

    static final String NODELAY = "sun.net.httpserver.nodelay";

    private final HttpServer server;
    private final ExecutorService executor;
    private final LocalApiDispatcher dispatcher;
    private final TableBuilder tables;
    /** Where {@link PodLogs} may read: the local kubelet's log directories. */
    private final Set<Path> logDirectories = new CopyOnWriteArraySet<>();

    private ApiFrontServer(HttpServer server, ExecutorService executor, LocalApiDispatcher dispatcher,
            TableBuilder tables) {
        this.server = server;
        this.executor = executor;
        this.dispatcher = dispatcher;
        this.tables = tables;
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0 = any free port) and answers with {@code dispatcher}, watches
     * included ({@link LocalApiDispatcher#watch}).
     */
    static ApiFrontServer start(int port, LocalApiDispatcher dispatcher, TableBuilder tables) throws IOException {
        // The JDK server leaves Nagle's algorithm on: each small response then waits for the client's
        // delayed ACK, ~40 ms per request, which the control plane pays on every status write. The
        // property is read once, when the first server of this JVM is made.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        ExecutorService executor = Executors.newCachedThreadPool(
                BasicThreadFactory.builder().namingPattern("ferry-local-api-%d").daemon(true).build());
        ApiFrontServer front = new ApiFrontServer(server, executor, dispatcher, tables);
        server.setExecutor(executor);
        server.createContext("/", front::handle);
        server.start();
        return front;
    }

    /** Lets {@code kubectl logs} read pods' log files under {@code directory}. */
    void servePodLogsFrom(Path directory) {
        logDirectories.add(directory.toAbsolutePath().normalize());
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
                new HttpWatch(dispatcher::watch, dispatcher.catalog(), tables).serve(exchange, path);
            } else if (PodLogs.isLogRequest(exchange.getRequestMethod(), path)) {
                new PodLogs(dispatcher::dispatch, logDirectories).serve(exchange, path);
            } else {
                answer(exchange, target);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("request {} {} failed: {}", exchange.getRequestMethod(), target, e.toString());
            exchange.close();
        }
    }

    private void answer(HttpExchange exchange, String target) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpMethod method = methodOf(exchange.getRequestMethod());
        if (method == null) {
            exchange.getResponseHeaders().set("Allow", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
            send(exchange, 405, ApiResponses.status(405, "MethodNotAllowed",
                    "the local Ferry API does not answer " + exchange.getRequestMethod()));
            return;
        }
        Headers.Builder headers = Headers.builder();
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                header.getValue().forEach(value -> headers.add(header.getKey(), value));
            }
        }
        MockResponse response = dispatcher.dispatch(
                new RecordedRequest("HTTP/1.1", method, target, headers.build(), new Buffer(body)));
        response.getHeaders().toMultimap().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, new ArrayList<>(values));
            }
        });
        byte[] answer = response.getBody() == null ? new byte[0] : response.getBody().getBytes();
        boolean empty = answer.length == 0 || response.code() == 204 || response.code() == 304;
        exchange.sendResponseHeaders(response.code(), empty ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!empty) {
                out.write(answer);
            }
        }
    }

    /** The mock's name for an HTTP method; null for one it cannot route (HEAD, TRACE). */
    private static HttpMethod methodOf(String name) {
        for (HttpMethod method : HttpMethod.values()) {
            if (method != HttpMethod.ANY && method.name().equalsIgnoreCase(name)) {
                return method;
            }
        }
        return null;
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
