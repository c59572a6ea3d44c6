package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The legacy (unaggregated) discovery documents kubectl resolves resource names with:
 * {@code /api} (APIVersions), {@code /apis} (APIGroupList) and {@code /api/v1},
 * {@code /apis/<group>/<version>} (APIResourceList). kubectl asks for aggregated discovery first and
 * falls back to these when the answer is plain {@code application/json}.
 */
public final class DiscoveryDocuments {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private DiscoveryDocuments() {
    }

    public static ObjectNode apiVersions() {
        ObjectNode versions = JSON.objectNode();
        versions.put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        ArrayNode addresses = versions.putArray("serverAddressByClientCIDRs");
        ObjectNode any = addresses.addObject();
        any.put("clientCIDR", "0.0.0.0/0");
        any.put("serverAddress", "127.0.0.1");
        return versions;
    }

    public static ObjectNode groupList(ResourceCatalog catalog) {
        ObjectNode list = JSON.objectNode();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        for (Map.Entry<String, List<String>> group : catalog.groups().entrySet()) {
            ObjectNode entry = groups.addObject();
            entry.put("name", group.getKey());
            ArrayNode versions = entry.putArray("versions");
            for (String version : group.getValue()) {
                versions.add(groupVersion(group.getKey(), version));
            }
            entry.set("preferredVersion", groupVersion(group.getKey(), group.getValue().get(0)));
        }
        return list;
    }

    /** The APIResourceList of one group version, or null when nothing is served there. */
    public static ObjectNode resourceList(ResourceCatalog catalog, String group, String version) {
        List<ApiResource> resources = catalog.inGroupVersion(group, version);
        if (resources.isEmpty()) {
            return null;
        }
        ObjectNode list = JSON.objectNode();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode entries = list.putArray("resources");
        for (ApiResource resource : resources) {
            ObjectNode entry = entries.addObject();
            entry.put("name", resource.plural());
            entry.put("singularName", resource.singular());
            entry.put("namespaced", resource.namespaced());
            entry.put("kind", resource.kind());
            strings(entry.putArray("verbs"), resource.verbs());
            if (!resource.shortNames().isEmpty()) {
                strings(entry.putArray("shortNames"), resource.shortNames());
            }
            if (!resource.categories().isEmpty()) {
                strings(entry.putArray("categories"), resource.categories());
            }
            if (resource.statusSubresource()) {
                ObjectNode status = entries.addObject();
                status.put("name", resource.plural() + "/status");
                status.put("singularName", "");
                status.put("namespaced", resource.namespaced());
                status.put("kind", resource.kind());
                strings(status.putArray("verbs"), List.of("get", "patch", "update"));
            }
            if (resource.group().equals(ScaleSubresource.GROUP) && ScaleSubresource.SCALABLE.contains(resource.plural())) {
                ObjectNode scale = entries.addObject();
                scale.put("name", resource.plural() + "/scale");
                scale.put("singularName", "");
                scale.put("namespaced", resource.namespaced());
                scale.put("group", "autoscaling");
                scale.put("version", "v1");
                scale.put("kind", "Scale");
                strings(scale.putArray("verbs"), List.of("get", "patch", "update"));
            }
        }
        return list;
    }

    private static ObjectNode groupVersion(String group, String version) {
        ObjectNode entry = JSON.objectNode();
        entry.put("groupVersion", group + "/" + version);
        entry.put("version", version);
        return entry;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
