package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * OpenAPI v3 documents derived from the catalog. kubectl (with the default
 * {@code --validate=strict}) reads {@code /openapi/v3} and the group version's document to learn
 * whether the server validates fields itself: when the resource's PATCH operation declares the
 * {@code fieldValidation} query parameter it sends {@code fieldValidation=Strict} instead of
 * validating client-side against OpenAPI v2 (which the local API does not serve). The CRD's
 * schema is published as the component schema, so {@code kubectl explain} works as well.
 */
public final class OpenApiDocuments {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private OpenApiDocuments() {
    }

    /** {@code /openapi/v3}: where each group version's document is. */
    public static ObjectNode root(ResourceCatalog catalog) {
        ObjectNode root = JSON.objectNode();
        ObjectNode paths = root.putObject("paths");
        Set<String> groupVersions = new TreeSet<>();
        catalog.resources().forEach(r -> groupVersions.add(path(r.group(), r.version())));
        for (String groupVersion : groupVersions) {
            paths.putObject(groupVersion).put("serverRelativeURL", "/openapi/v3/" + groupVersion);
        }
        return root;
    }

    /** {@code /openapi/v3/apis/<group>/<version>} (or {@code api/v1}), null when not served. */
    public static ObjectNode groupVersion(ResourceCatalog catalog, String group, String version) {
        List<ApiResource> resources = catalog.inGroupVersion(group, version);
        if (resources.isEmpty()) {
            return null;
        }
        ObjectNode document = JSON.objectNode();
        document.put("openapi", "3.0.0");
        ObjectNode info = document.putObject("info");
        info.put("title", "Ferry local Kubernetes API");
        info.put("version", "v1.32.0");
        ObjectNode paths = document.putObject("paths");
        ObjectNode schemas = document.putObject("components").putObject("schemas");
        for (ApiResource resource : resources) {
            String schemaName = schemaName(resource);
            schemas.set(schemaName, schema(resource));
            String base = "/" + path(group, version) + (resource.namespaced() ? "/namespaces/{namespace}/" : "/")
                    + resource.plural();
            ObjectNode collection = paths.putObject(base);
            ObjectNode item = paths.putObject(base + "/{name}");
            if (resource.supports("create")) {
                collection.set("post", operation(resource, "post", schemaName));
            }
            if (resource.supports("list")) {
                collection.set("get", operation(resource, "list", schemaName));
            }
            if (resource.supports("get")) {
                item.set("get", operation(resource, "get", schemaName));
                item.set("put", operation(resource, "put", schemaName));
                item.set("patch", operation(resource, "patch", schemaName));
                item.set("delete", operation(resource, "delete", schemaName));
            }
        }
        return document;
    }

    private static String path(String group, String version) {
        return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
    }

    static String schemaName(ApiResource resource) {
        StringBuilder reversed = new StringBuilder();
        String[] parts = (resource.group().isEmpty() ? "core" : resource.group()).split("\\.");
        for (int i = parts.length - 1; i >= 0; i--) {
            reversed.append(parts[i]).append('.');
        }
        return reversed + resource.version() + "." + resource.kind();
    }

    private static ObjectNode schema(ApiResource resource) {
        ObjectNode schema = resource.schema() != null && resource.schema().isObject()
                ? ((ObjectNode) resource.schema()).deepCopy() : JSON.objectNode();
        if (!schema.has("type")) {
            schema.put("type", "object");
        }
        if (resource.schema() == null) {
            // Built-ins: the local API does not carry their schemas; accept any field.
            schema.put("x-kubernetes-preserve-unknown-fields", true);
        }
        ObjectNode properties = schema.has("properties") ? (ObjectNode) schema.get("properties")
                : schema.putObject("properties");
        properties.putObject("apiVersion").put("type", "string");
        properties.putObject("kind").put("type", "string");
        if (!properties.has("metadata") || properties.get("metadata").size() <= 1) {
            ObjectNode metadata = properties.putObject("metadata");
            metadata.put("type", "object");
            metadata.put("x-kubernetes-preserve-unknown-fields", true);
        }
        schema.putArray("x-kubernetes-group-version-kind").add(gvk(resource));
        return schema;
    }

    private static ObjectNode operation(ApiResource resource, String action, String schemaName) {
        ObjectNode operation = JSON.objectNode();
        operation.put("operationId", action + resource.kind());
        operation.put("x-kubernetes-action", action);
        operation.set("x-kubernetes-group-version-kind", gvk(resource));
        ArrayNode parameters = operation.putArray("parameters");
        if (!action.equals("get") && !action.equals("list")) {
            for (String name : List.of("dryRun", "fieldManager", "fieldValidation")) {
                ObjectNode parameter = parameters.addObject();
                parameter.put("name", name);
                parameter.put("in", "query");
                parameter.put("description", name);
                parameter.putObject("schema").put("type", "string");
            }
        }
        if (action.equals("patch") || action.equals("put") || action.equals("post")) {
            ObjectNode content = operation.putObject("requestBody").putObject("content");
            List<String> types = action.equals("patch")
                    ? List.of("application/json-patch+json", "application/merge-patch+json")
                    : List.of("*/*");
            for (String type : types) {
                content.putObject(type).putObject("schema").put("type", "object");
            }
        }
        ObjectNode ok = operation.putObject("responses").putObject("200");
        ok.put("description", "OK");
        ok.putObject("content").putObject("application/json").putObject("schema")
                .put("$ref", "#/components/schemas/" + schemaName);
        return operation;
    }

    private static JsonNode gvk(ApiResource resource) {
        ObjectNode gvk = JSON.objectNode();
        gvk.put("group", resource.group());
        gvk.put("version", resource.version());
        gvk.put("kind", resource.kind());
        return gvk;
    }
}
