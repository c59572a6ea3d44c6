package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resource types of the local API at one moment: a fixed set of built-ins (those Ferry and
 * kubectl touch) plus every served version of the stored CRDs. Immutable; rebuilt from the store
 * for each discovery, OpenAPI or table request, so a CRD is visible as soon as it is created.
 */
public final class ResourceCatalog {
    /** Where the stored CRDs are listed: the catalog is built from them. */
    static final String CRDS_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private static final List<ApiResource> BUILT_INS = List.of(
            builtIn("", "v1", "pods", "Pod", true, List.of("po"), List.of("all"), true),
            builtIn("", "v1", "services", "Service", true, List.of("svc"), List.of("all"), true),
            builtIn("", "v1", "secrets", "Secret", true, List.of(), List.of(), false),
            builtIn("", "v1", "configmaps", "ConfigMap", true, List.of("cm"), List.of(), false),
            builtIn("", "v1", "events", "Event", true, List.of("ev"), List.of(), false),
            builtIn("", "v1", "namespaces", "Namespace", false, List.of("ns"), List.of(), true),
            builtIn("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, List.of("pvc"), List.of(), true),
            builtIn("", "v1", "persistentvolumes", "PersistentVolume", false, List.of("pv"), List.of(), true),
            builtIn("", "v1", "serviceaccounts", "ServiceAccount", true, List.of("sa"), List.of(), false),
            builtIn("", "v1", "endpoints", "Endpoints", true, List.of("ep"), List.of(), false),
            builtIn("", "v1", "nodes", "Node", false, List.of("no"), List.of(), true),
            builtIn("apps", "v1", "deployments", "Deployment", true, List.of("deploy"), List.of("all"), true),
            builtIn("apps", "v1", "replicasets", "ReplicaSet", true, List.of("rs"), List.of("all"), true),
            builtIn("apps", "v1", "statefulsets", "StatefulSet", true, List.of("sts"), List.of("all"), true),
            builtIn("apps", "v1", "daemonsets", "DaemonSet", true, List.of("ds"), List.of("all"), true),
            builtIn("batch", "v1", "jobs", "Job", true, List.of(), List.of("all"), true),
            builtIn("coordination.k8s.io", "v1", "leases", "Lease", true, List.of(), List.of(), false),
            builtIn("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false,
                    List.of("crd", "crds"), List.of("api-extensions"), true),
            review("selfsubjectaccessreviews", "SelfSubjectAccessReview", false),
            review("selfsubjectrulesreviews", "SelfSubjectRulesReview", false),
            review("subjectaccessreviews", "SubjectAccessReview", false),
            review("localsubjectaccessreviews", "LocalSubjectAccessReview", true),
            builtIn("events.k8s.io", "v1", "events", "Event", true, List.of("ev"), List.of(), false),
            builtIn("rbac.authorization.k8s.io", "v1", "roles", "Role", true, List.of(), List.of(), false),
            builtIn("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, List.of(), List.of(), false),
            builtIn("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, List.of(), List.of(), false),
            builtIn("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, List.of(),
                    List.of(), false));

    private final List<ApiResource> resources;

    private ResourceCatalog(List<ApiResource> resources) {
        this.resources = List.copyOf(resources);
    }

    /** The built-ins plus the served versions of the given CRDs (as JSON). */
    public static ResourceCatalog of(List<JsonNode> crds) {
        List<ApiResource> resources = new ArrayList<>(BUILT_INS);
        for (JsonNode crd : crds) {
            if (!crd.path("metadata").path("deletionTimestamp").isMissingNode()) {
                continue;
            }
            resources.addAll(fromCrd(crd));
        }
        return new ResourceCatalog(resources);
    }

    public List<ApiResource> resources() {
        return resources;
    }

    public Optional<ApiResource> find(String group, String version, String plural) {
        return resources.stream()
                .filter(r -> r.group().equals(group) && r.version().equals(version) && r.plural().equals(plural))
                .findFirst();
    }

    public List<ApiResource> inGroupVersion(String group, String version) {
        return resources.stream().filter(r -> r.group().equals(group) && r.version().equals(version)).toList();
    }

    /** Group name to its versions, preferred (first declared) version first; the core group excluded. */
    public Map<String, List<String>> groups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (ApiResource resource : resources) {
            if (resource.group().isEmpty()) {
                continue;
            }
            List<String> versions = groups.computeIfAbsent(resource.group(), g -> new ArrayList<>());
            if (!versions.contains(resource.version())) {
                versions.add(resource.version());
            }
        }
        return groups;
    }

    static List<ApiResource> fromCrd(JsonNode crd) {
        JsonNode spec = crd.path("spec");
        JsonNode names = spec.path("names");
        String group = spec.path("group").asText();
        boolean namespaced = !"Cluster".equals(spec.path("scope").asText("Namespaced"));
        List<ApiResource> resources = new ArrayList<>();
        // The storage version first: kubectl takes the first version listed as the preferred one.
        List<JsonNode> versions = new ArrayList<>();
        spec.path("versions").forEach(versions::add);
        versions.sort((a, b) -> Boolean.compare(b.path("storage").asBoolean(), a.path("storage").asBoolean()));
        for (JsonNode version : versions) {
            if (!version.path("served").asBoolean(true)) {
                continue;
            }
            List<PrinterColumn> columns = new ArrayList<>();
            version.path("additionalPrinterColumns").forEach(c -> columns.add(PrinterColumn.fromCrd(c)));
            resources.add(new ApiResource(group, version.path("name").asText(), names.path("plural").asText(),
                    names.path("singular").asText(names.path("kind").asText().toLowerCase(java.util.Locale.ROOT)),
                    names.path("kind").asText(), namespaced, texts(names.path("shortNames")),
                    texts(names.path("categories")), ApiResource.ALL_VERBS,
                    !version.path("subresources").path("status").isMissingNode(), List.copyOf(columns),
                    version.path("schema").path("openAPIV3Schema")));
        }
        return resources;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return List.copyOf(values);
    }

    private static ApiResource builtIn(String group, String version, String plural, String kind, boolean namespaced,
            List<String> shortNames, List<String> categories, boolean status) {
        return new ApiResource(group, version, plural, kind.toLowerCase(java.util.Locale.ROOT), kind, namespaced,
                shortNames, categories, ApiResource.ALL_VERBS, status, List.of(), null);
    }

    private static ApiResource review(String plural, String kind, boolean namespaced) {
        return new ApiResource("authorization.k8s.io", "v1", plural, kind.toLowerCase(java.util.Locale.ROOT), kind,
                namespaced, List.of(), List.of(), ApiResource.CREATE_ONLY, false, List.of(), null);
    }
}
