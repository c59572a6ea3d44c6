package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.ApiResponses.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads of objects and lists (not watches), as kubectl expects them: the CRUD mock's answer with
 * field selectors on any field applied here, lists typed, and server-side printing (Table) when the
 * client asks for it.
 */
final class ObjectReads {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final MockStore store;
    private final TableBuilder tables;

    ObjectReads(MockStore store, TableBuilder tables) {
        this.store = store;
        this.tables = tables;
    }

    MockResponse get(RecordedRequest request, RequestPath path) throws IOException {
        FieldSelector fieldSelector = FieldSelector.parse(path.query("fieldSelector"));
        MockResponse response = store.dispatch(
                MockRequests.withPath(request, path.without("fieldSelector"), request.getHeaders()));
        RequestPath.Resource resource = path.resource();
        if (response.code() == 404 && resource != null && resource.name() != null) {
            return objectNotFound(resource);
        }
        if (response.code() != 200 || response.getBody() == null || response.getBody().size() == 0) {
            return response;
        }
        String accept = request.getHeader("Accept");
        boolean table = accept != null && accept.contains("as=Table") && resource != null;
        if (fieldSelector.isEmpty() && !table && resource != null && resource.name() != null) {
            return response; // one object as stored: nothing to filter, type or print (most reads are these)
        }
        JsonNode body = MAPPER.readTree(response.getBody().getBytes());
        if (!fieldSelector.isEmpty() && body.has("items")) {
            List<JsonNode> items = new ArrayList<>();
            body.get("items").forEach(items::add);
            ArrayNode kept = ((ObjectNode) body).putArray("items");
            items.stream().filter(fieldSelector::matches).forEach(kept::add);
        }
        if (table) {
            return ok(table(body, resource));
        }
        if (resource != null && "List".equals(body.path("kind").asText())) {
            typeList((ObjectNode) body, resource);
        }
        return ok(body);
    }

    /** As an API server words it: {@code pods "x" not found}, {@code migrationjobs.ferry.dev "x" not found}. */
    static MockResponse objectNotFound(RequestPath.Resource resource) {
        String kind = resource.group().isEmpty() ? resource.plural() : resource.plural() + "." + resource.group();
        ObjectNode status = ApiResponses.statusBody(404, "NotFound", kind + " \"" + resource.name() + "\" not found");
        ObjectNode details = status.putObject("details");
        details.put("name", resource.name());
        if (!resource.group().isEmpty()) {
            details.put("group", resource.group());
        }
        details.put("kind", resource.plural());
        return ApiResponses.status(status);
    }

    /**
     * The mock answers every list as a generic {@code v1 List}; typed clients (kubectl describe's
     * event lookup, for one) want {@code EventList} in the resource's group version.
     */
    private void typeList(ObjectNode list, RequestPath.Resource resource) {
        ResourceCatalog.of(List.of()).find(resource.group(), resource.version(), resource.plural())
                .or(() -> store.catalog().find(resource.group(), resource.version(), resource.plural()))
                .ifPresent(type -> {
                    list.put("kind", type.kind() + "List");
                    list.put("apiVersion", type.groupVersion());
                });
    }

    private JsonNode table(JsonNode body, RequestPath.Resource resource) {
        ApiResource type = store.catalog().find(resource.group(), resource.version(), resource.plural()).orElse(null);
        List<JsonNode> objects = new ArrayList<>();
        if (body.has("items")) {
            body.get("items").forEach(objects::add);
        } else {
            objects.add(body);
        }
        return tables.table(objects, TableBuilder.columns(type),
                body.path("metadata").path("resourceVersion").asText(""));
    }
}
