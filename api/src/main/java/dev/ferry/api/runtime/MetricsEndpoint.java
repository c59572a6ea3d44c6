package dev.ferry.api.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.api.Ferry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Ferry process's meters (the operator's, a worker's) and their Prometheus endpoint: {@code GET /metrics} in the text format on
 * {@code FERRY_METRICS_PORT}, on every interface (a pod is scraped on its pod IP). The registry is
 * handed to whatever counts through constructors; there is no global one, so tests count on their own.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    /** The port of {@code GET /metrics}: default 8080, {@code 0} any free one, empty or {@code off} none. */
    public static final String FERRY_METRICS_PORT = Ferry.METRICS_PORT_ENV;
    public static final int DEFAULT_PORT = Ferry.DEFAULT_METRICS_PORT;
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final HttpServer server;
    private final ExecutorService scrapes;

    private MetricsEndpoint(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpServer server,
                            ExecutorService scrapes) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
        this.scrapes = scrapes;
    }

    /**
     * The port a {@code FERRY_METRICS_PORT} value asks for: unset the default, empty or {@code off} none.
     *
     * @throws IllegalArgumentException for anything else that is not a port number
     */
    public static OptionalInt port(String setting) {
        if (setting == null) {
            return OptionalInt.of(DEFAULT_PORT);
        }
        String value = setting.strip();
        if (value.isEmpty() || value.equalsIgnoreCase("off")) {
            return OptionalInt.empty();
        }
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65_535) {
                return OptionalInt.of(port);
            }
        } catch (NumberFormatException e) {
            // reported below, with the variable's name
        }
        throw new IllegalArgumentException(FERRY_METRICS_PORT
                + " must be a port number, 0 (any free port) or off, got '" + setting + "'");
    }

    /**
     * Serves {@code /metrics} on {@code port}, or nothing when disabled (empty). A port that cannot be bound
     * costs the metrics, not the work: the process runs on without them and says so. Null when none is served.
     */
    public static MetricsEndpoint startOrRunWithout(OptionalInt port) {
        return startOrRunWithout(port, Map.of());
    }

    /** As above, serving also each probe of {@code probes} (path → its problems, see {@link #start(int, Map)}). */
    public static MetricsEndpoint startOrRunWithout(OptionalInt port, Map<String, Supplier<List<String>>> probes) {
        if (port.isEmpty()) {
            LOG.info("metrics endpoint off ({} is empty or off)", FERRY_METRICS_PORT);
            return null;
        }
        try {
            MetricsEndpoint endpoint = start(port.getAsInt(), probes);
            LOG.info("serving metrics at http://0.0.0.0:{}/metrics", endpoint.port());
            return endpoint;
        } catch (IOException e) {
            LOG.warn("cannot serve metrics on port {} ({}): running without them", port.getAsInt(), e.toString());
            return null;
        }
    }

    /** Binds {@code port} (0: a free one, see {@link #port()}) and serves the registry, with the JVM's meters. */
    public static MetricsEndpoint start(int port) throws IOException {
        return start(port, Map.of());
    }

    /**
     * As above, with probes on the same port, there from the first request (a probe's path answering 404
     * for a moment would count as a failure): at each path, {@code 200 ok} when its supplier gives no
     * problem, else {@code 503} with one problem per line (what {@code kubectl describe pod} shows of a
     * failed probe). A supplier runs on the endpoint's one thread, beside scrapes: it must answer at once.
     */
    public static MetricsEndpoint start(int port, Map<String, Supplier<List<String>>> probes) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        JvmGcMetrics gc = bindJvm(registry);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            gc.close();
            registry.close();
            throw e;
        }
        server.createContext("/metrics", exchange -> serve(registry, exchange));
        probes.forEach((path, problems) -> server.createContext(path, exchange -> probe(problems, exchange)));
        // One thread: scrapes are rare and small, and they must not compete with reconciles or copies.
        ExecutorService scrapes = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ferry-metrics");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(scrapes);
        server.start();
        return new MetricsEndpoint(registry, gc, server, scrapes);
    }

    private static JvmGcMetrics bindJvm(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return gc;
    }

    private static void serve(PrometheusMeterRegistry registry, HttpExchange exchange) throws IOException {
        answerGet(exchange, () -> new Answer(200, TEXT_FORMAT, registry.scrape()));
    }

    private static void probe(Supplier<List<String>> problems, HttpExchange exchange) throws IOException {
        answerGet(exchange, () -> {
            List<String> found;
            try {
                found = problems.get();
            } catch (RuntimeException e) {
                found = List.of("the check failed: " + e);
            }
            return new Answer(found.isEmpty() ? 200 : 503, "text/plain; charset=utf-8",
                    found.isEmpty() ? "ok\n" : String.join("\n", found) + "\n");
        });
    }

    private record Answer(int status, String contentType, String body) {
    }

    /** GET gets {@code answer}, HEAD its status and headers, anything else 405. */
    private static void answerGet(HttpExchange exchange, Supplier<Answer> answer) throws IOException {
        try (exchange) {
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            if (!head && !"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Answer reply = answer.get();
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            exchange.sendResponseHeaders(reply.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The bound port: the configured one, or the one the system chose for 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        scrapes.shutdownNow();
        gc.close();
        registry.close();
    }
}
