package dev.ferry.local;

import dev.ferry.api.Ferry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A port of its own for each pod's {@code /metrics}. On a cluster every pod has its own IP and serves on
 * 8080; here every process shares the host, so the kubelet gives each one a free port in
 * {@code FERRY_METRICS_PORT} and records it on the Pod (annotation {@code ferry.dev/metrics-port}), where
 * tests and users find it. The port is free when chosen and bound by the process a moment later; should
 * another process take it meanwhile, that pod serves no metrics (its log says so) and copies on.
 */
final class MetricsPorts {
    private MetricsPorts() {
    }

    /**
     * Replaces the port the container asks for in {@code env} with a free one and returns it; nothing
     * when the container turned its metrics off (an empty value or {@code off}).
     */
    static OptionalInt assign(Map<String, String> env) {
        String asked = env.get(Ferry.METRICS_PORT_ENV);
        if (asked != null && (asked.isBlank() || asked.strip().equalsIgnoreCase("off"))) {
            return OptionalInt.empty();
        }
        int port = freePort();
        env.put(Ferry.METRICS_PORT_ENV, Integer.toString(port));
        return OptionalInt.of(port);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for a pod's metrics", e);
        }
    }
}
