package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.SimpleJsonPathTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceCatalogTest {
    private static final JsonNode CRD = json("""
            {"metadata": {"name": "migrationtasks.ferry.dev"},
             "spec": {"group": "ferry.dev", "scope": "Namespaced",
              "names": {"kind": "MigrationTask", "plural": "migrationtasks", "singular": "migrationtask",
                        "shortNames": ["mt"], "categories": ["ferry"]},
              "versions": [{"name": "v1alpha1", "served": true, "storage": true, "subresources": {"status": {}}},
                           {"name": "v0", "served": false, "storage": false}]}}""");

    @Test
    void listsTheGroupsOfBuiltInsAndStoredCrds() {
        List<String> groups = new ArrayList<>();
        DiscoveryDocuments.groupList(ResourceCatalog.of(List.of(CRD))).path("groups")
                .forEach(g -> groups.add(g.path("name").asText() + "/" + g.path("preferredVersion").path("version").asText()));

        assertThat(groups).contains("apps/v1", "coordination.k8s.io/v1", "apiextensions.k8s.io/v1",
                "authorization.k8s.io/v1", "events.k8s.io/v1", "rbac.authorization.k8s.io/v1", "ferry.dev/v1alpha1");
    }

    @Test
    void describesACrdResourceAsKubectlNeedsIt() {
        JsonNode list = DiscoveryDocuments.resourceList(ResourceCatalog.of(List.of(CRD)), "ferry.dev", "v1alpha1");

        assertThat(list.path("groupVersion").asText()).isEqualTo("ferry.dev/v1alpha1");
        JsonNode tasks = list.path("resources").get(0);
        assertThat(tasks.path("name").asText()).isEqualTo("migrationtasks");
        assertThat(tasks.path("singularName").asText()).isEqualTo("migrationtask");
        assertThat(tasks.path("kind").asText()).isEqualTo("MigrationTask");
        assertThat(tasks.path("namespaced").asBoolean()).isTrue();
        assertThat(tasks.path("shortNames").toString()).isEqualTo("[\"mt\"]");
        assertThat(tasks.path("categories").toString()).isEqualTo("[\"ferry\"]");
        assertThat(tasks.path("verbs").toString()).contains("watch", "patch", "deletecollection");
        assertThat(list.path("resources").get(1).path("name").asText()).isEqualTo("migrationtasks/status");
    }

    @Test
    void servesNothingForUnservedVersionsOrUnknownGroups() {
        ResourceCatalog catalog = ResourceCatalog.of(List.of(CRD));

        assertThat(DiscoveryDocuments.resourceList(catalog, "ferry.dev", "v0")).isNull();
        assertThat(DiscoveryDocuments.resourceList(catalog, "example.com", "v1")).isNull();
        assertThat(DiscoveryDocuments.resourceList(catalog, "", "v1").toString()).contains("\"persistentvolumeclaims\"");
    }

    @Test
    void declaresServerSideFieldValidationForEveryPatchableResource() {
        JsonNode document = OpenApiDocuments.groupVersion(ResourceCatalog.of(List.of(CRD)), "ferry.dev", "v1alpha1");

        JsonNode patch = document.path("paths").path("/apis/ferry.dev/v1alpha1/namespaces/{namespace}/migrationtasks/{name}")
                .path("patch");
        assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asText()).isEqualTo("MigrationTask");
        assertThat(patch.path("parameters").toString()).contains("\"name\":\"fieldValidation\",\"in\":\"query\"");
        assertThat(OpenApiDocuments.root(ResourceCatalog.of(List.of(CRD))).path("paths").has("apis/ferry.dev/v1alpha1"))
                .isTrue();
    }
}
