package dev.ferry.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator's own client in a test, told apart from the test's (which plays kubelet and workers) by
 * its User-Agent in the mock server's record of requests, so that what the operator calls can be held
 * against the chart's RBAC rules ({@link ChartRoles}).
 */
final class AuditedClient {
    static final String USER_AGENT = "ferry-operator-under-audit";

    private AuditedClient() {
    }

    /** A client of the same server as {@code client}, with its own User-Agent. */
    static KubernetesClient of(KubernetesClient client) {
        Config config = new ConfigBuilder(client.getConfiguration()).build();
        config.setUserAgent(USER_AGENT);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** Every call of audited clients since the last drain is one the chart's operator roles allow. */
    static void assertTheChartAllowsWhatTheOperatorCalled(KubernetesMockServer server) throws InterruptedException {
        List<RecordedRequest> calls = drain(server);
        assertThat(ChartRoles.calls(calls)).as("the operator's calls were recorded").isNotEmpty();
        assertThat(ChartRoles.of("operator").refused(calls)).as("calls the chart's operator roles do not allow")
                .isEmpty();
    }

    /** The requests of audited clients that the server recorded since the last call (the others are dropped). */
    static List<RecordedRequest> drain(KubernetesMockServer server) throws InterruptedException {
        List<RecordedRequest> audited = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (USER_AGENT.equals(request.getHeader("User-Agent"))) {
                audited.add(request);
            }
        }
        return audited;
    }
}
