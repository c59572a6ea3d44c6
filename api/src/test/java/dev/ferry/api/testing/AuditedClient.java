package dev.ferry.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A component's own client in a test (the operator's, a worker's), told apart from the test's (which plays
 * the rest of the cluster) by its User-Agent in the mock server's record of requests, so that what the
 * component calls can be held against the chart's RBAC rules for it ({@link ChartRoles}).
 */
public final class AuditedClient {
    private AuditedClient() {
    }

    static String userAgent(String component) {
        return "ferry-" + component + "-under-audit";
    }

    /** A client of the same server as {@code client}, with the User-Agent of {@code component}. */
    public static KubernetesClient of(KubernetesClient client, String component) {
        Config config = new ConfigBuilder(client.getConfiguration()).build();
        config.setUserAgent(userAgent(component));
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * Every call of {@code component}'s audited clients since the last drain is one the chart's roles for it
     * allow; returns the calls, as RBAC sees them.
     */
    public static Set<String> assertTheChartAllowsWhatItCalled(KubernetesMockServer server, String component)
            throws InterruptedException {
        List<RecordedRequest> requests = drain(server, component);
        Set<String> calls = ChartRoles.calls(requests);
        assertThat(calls).as("the %s's calls were recorded", component).isNotEmpty();
        assertThat(ChartRoles.of(component).refused(requests)).as("calls the chart's %s roles do not allow", component)
                .isEmpty();
        return calls;
    }

    /** The requests of {@code component}'s audited clients recorded since the last call (the others are dropped). */
    public static List<RecordedRequest> drain(KubernetesMockServer server, String component) throws InterruptedException {
        String userAgent = userAgent(component);
        List<RecordedRequest> audited = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (userAgent.equals(request.getHeader("User-Agent"))) {
                audited.add(request);
            }
        }
        return audited;
    }
}
