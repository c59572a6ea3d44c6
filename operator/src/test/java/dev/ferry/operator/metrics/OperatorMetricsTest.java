package dev.ferry.operator.metrics;

import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.runtime.KafkaMetrics;
import dev.ferry.api.runtime.MetricsEndpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

    @Test
    void servesHandOutsTakeBacksReconcilesAndTasksByPhaseInThePrometheusTextFormat() throws Exception {
        List<MigrationTask> cache = List.of(task("j-plan", TaskType.Plan, TaskPhase.Succeeded),
                task("j-plan-00001", TaskType.Copy, TaskPhase.Running),
                task("j-plan-00002", TaskType.Copy, TaskPhase.Assigned),
                task("j-plan-00003", TaskType.Copy, TaskPhase.Pending));
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0)) {
            AssignmentMetrics assignments = new AssignmentMetrics(endpoint.registry());
            new TaskPhaseGauges(endpoint.registry(), cache::stream);
            new KafkaMetrics(endpoint.registry());
            ReconcileMetrics reconciles = new ReconcileMetrics(endpoint.registry());
            assertThat(reconciles.timed(() -> "reconciled")).isEqualTo("reconciled");
            assertThatThrownBy(() -> reconciles.timed(() -> {
                throw new IllegalStateException("a reconcile that throws is counted too");
            })).isInstanceOf(IllegalStateException.class);
            assignments.handedOut();
            assignments.handedOut();
            assignments.takenBack(false);
            assignments.takenBack(true);
            assignments.takenBack(false);

            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();

            assertThat(body)
                    .contains("ferry_task_handouts_total 2.0")
                    .contains("ferry_task_takebacks_total{cost=\"takeback\"} 2.0")
                    .contains("ferry_task_takebacks_total{cost=\"attempt\"} 1.0")
                    .contains("ferry_job_reconcile_seconds_count 2", "ferry_job_reconcile_seconds_sum")
                    .contains("# TYPE ferry_tasks gauge")
                    .contains("ferry_tasks{phase=\"Pending\"} 1.0", "ferry_tasks{phase=\"Assigned\"} 1.0",
                            "ferry_tasks{phase=\"Running\"} 1.0", "ferry_tasks{phase=\"Succeeded\"} 1.0",
                            "ferry_tasks{phase=\"Failed\"} 0.0")
                    .contains("ferry_kafka_backlog", "jvm_memory_used_bytes");
        }
    }

    @Test
    void countsTheCacheOncePerScrapeAndIsUnknownWhileThereIsNoCache() {
        var registry = new SimpleMeterRegistry();
        List<Integer> passes = new ArrayList<>();
        new TaskPhaseGauges(registry, () -> {
            passes.add(1);
            return Stream.of(task("a", TaskType.Copy, TaskPhase.Running), task("b", TaskType.Copy, TaskPhase.Running));
        });

        assertThat(registry.get("ferry.tasks").tag("phase", "Running").gauge().value()).isEqualTo(2);
        assertThat(registry.get("ferry.tasks").tag("phase", "Pending").gauge().value()).isZero();
        assertThat(passes).as("one pass for the gauges of one scrape").hasSize(1);

        var unstarted = new SimpleMeterRegistry();
        new TaskPhaseGauges(unstarted, () -> {
            throw new IllegalStateException("informer not started");
        });
        assertThat(unstarted.get("ferry.tasks").tag("phase", "Running").gauge().value()).isNaN();
    }
}
