package dev.ferry.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.e2e.chart.FerryChart.Values;
import dev.ferry.local.apiserver.LocalKubernetesApi;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the chart renders, applied to the local Kubernetes API (the dev cluster's: Fabric8's mock in CRUD mode with
 * discovery) for every kind that API serves, and read back as applied; the kinds it does not serve (the
 * PodDisruptionBudget, the Prometheus Operator's monitors) are only parsed (ChartTest).
 */
class ChartApiIT {
    /** Kinds a real cluster serves but the local API does not: parsed, never applied. */
    private static final Set<String> NOT_SERVED_LOCALLY = Set.of("PodDisruptionBudget", "ServiceMonitor",
            "PodMonitor");

    private LocalKubernetesApi api;
    private KubernetesClient client;
    private final Map<String, APIResourceList> discovery = new HashMap<>();

    @BeforeEach
    void startTheLocalApi() {
        api = LocalKubernetesApi.start(0);
        client = api.client();
    }

    @AfterEach
    void stopTheLocalApi() {
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    void everyRenderedObjectOfAServedKindIsAcceptedAndReadsBackAsApplied(Values values) {
        List<HasMetadata> objects = new ArrayList<>(FerryChart.objects(FerryChart.crds()));
        objects.addAll(FerryChart.render(values));
        Set<String> namespaces = new TreeSet<>();
        objects.stream().map(o -> o.getMetadata().getNamespace()).filter(n -> n != null).forEach(namespaces::add);
        namespaces.forEach(namespace -> client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName(namespace).endMetadata().build()).createOr(existing -> existing.update()));

        Set<String> applied = new TreeSet<>();
        Set<String> skipped = new TreeSet<>();
        for (HasMetadata object : objects) {
            if (!served(object)) {
                skipped.add(object.getKind());
                continue;
            }
            client.resource(object).create();
            applied.add(object.getKind());
            HasMetadata stored = client.resource(object).get();

            assertThat(stored).as("%s %s read back", object.getKind(), object.getMetadata().getName()).isNotNull();
            assertThat(content(stored)).as("%s %s as stored", object.getKind(), object.getMetadata().getName())
                    .isEqualTo(content(object));
            assertThat(stored.getMetadata().getLabels()).isEqualTo(object.getMetadata().getLabels());
        }
        assertThat(applied).contains("CustomResourceDefinition", "Deployment", "ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "RoleBinding", "ConfigMap", "Service");
        assertThat(NOT_SERVED_LOCALLY).containsAll(skipped);
        assertThat(skipped).contains("PodDisruptionBudget");
    }

    /** Whether the API's discovery lists the object's kind in its group and version. */
    private boolean served(HasMetadata object) {
        APIResourceList resources = discovery.computeIfAbsent(object.getApiVersion(), groupVersion -> {
            try {
                return client.getApiResources(groupVersion);
            } catch (KubernetesClientException e) {
                return null;
            }
        });
        return resources != null && resources.getResources().stream().map(APIResource::getKind)
                .anyMatch(object.getKind()::equals);
    }

    /** The object without metadata and status: what the chart says it is (spec, rules, data, subjects...). */
    private static JsonNode content(HasMetadata object) {
        ObjectNode tree = (ObjectNode) Serialization.jsonMapper().valueToTree(object);
        tree.remove(List.of("metadata", "status"));
        return tree;
    }
}
