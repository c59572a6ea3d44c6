package dev.ferry.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.FailureCode;
import dev.ferry.api.runtime.MetricsEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    @Test
    void servesTheFileCountersAndTheJvmsMetersInThePrometheusTextFormat() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            FileMetrics files = new FileMetrics(endpoint.registry(), "ns/books");
            files.copied(1_000);
            files.copied(24);
            files.skipped();
            files.failed(FailureCode.KEY_TOO_LONG);

            HttpResponse<String> response = get(endpoint.port(), "/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(response.body())
                    .contains("# TYPE ferry_files_copied_total counter")
                    .contains("ferry_files_copied_total{ferry_job=\"ns/books\"} 2.0")
                    .contains("ferry_bytes_copied_total{ferry_job=\"ns/books\"} 1024.0")
                    .contains("ferry_files_skipped_total{ferry_job=\"ns/books\"} 1.0")
                    .contains("ferry_files_failed_total{code=\"KEY_TOO_LONG\",ferry_job=\"ns/books\"} 1.0")
                    .as("every code from the start, so that rates start at zero")
                    .contains("ferry_files_failed_total{code=\"SOURCE_VANISHED\",ferry_job=\"ns/books\"} 0.0")
                    .contains("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                            "process_uptime_seconds", "system_cpu_count");
        }
    }

    @Test
    void aProbeAnswersOkWithoutProblemsAndUnavailableWithEachProblemOnItsLine() throws Exception {
        List<String> problems = new CopyOnWriteArrayList<>();
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, Map.of("/readyz", () -> problems))) {

            HttpResponse<String> ok = get(endpoint.port(), "/readyz");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("ok\n");

            problems.addAll(List.of("the operator is starting", "event source pods is UNHEALTHY"));
            HttpResponse<String> unavailable = get(endpoint.port(), "/readyz");
            assertThat(unavailable.statusCode()).isEqualTo(503);
            assertThat(unavailable.body()).isEqualTo("the operator is starting\nevent source pods is UNHEALTHY\n");
            assertThat(get(endpoint.port(), "/metrics").statusCode()).as("scrapes go on").isEqualTo(200);
        }
    }

    @Test
    void aProbeWhoseCheckThrowsFailsWithTheReason() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, Map.of("/healthz", () -> {
            throw new IllegalStateException("no view of the cluster");
        }))) {

            HttpResponse<String> response = get(endpoint.port(), "/healthz");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("no view of the cluster");
        }
    }

    @Test
    void refusesAnythingButGet() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void closingFreesThePort() throws Exception {
        MetricsEndpoint first = MetricsEndpoint.start(0);
        int port = first.port();
        first.close();

        try (MetricsEndpoint second = MetricsEndpoint.start(port)) {
            assertThat(get(second.port(), "/metrics").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readsThePortSettingAsTheChartAndTheLocalModeWriteIt() {
        assertThat(MetricsEndpoint.port(null)).as("unset").isEqualTo(OptionalInt.of(8080));
        assertThat(MetricsEndpoint.port("9090")).isEqualTo(OptionalInt.of(9090));
        assertThat(MetricsEndpoint.port(" 0 ")).as("any free port").isEqualTo(OptionalInt.of(0));
        assertThat(MetricsEndpoint.port("")).as("empty: off").isEmpty();
        assertThat(MetricsEndpoint.port("off")).isEmpty();
        assertThatThrownBy(() -> MetricsEndpoint.port("eighty")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FERRY_METRICS_PORT");
        assertThatThrownBy(() -> MetricsEndpoint.port("70000")).isInstanceOf(IllegalArgumentException.class);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
