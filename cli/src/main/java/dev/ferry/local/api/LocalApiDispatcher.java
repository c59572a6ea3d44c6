package dev.ferry.local.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fabric8 CRUD mock plus what the real {@code kubectl} and JOSDK need from an API server:
 * discovery, OpenAPI v3, server-side printing (Table), field selectors on any field, status writes
 * whatever their query string, and access reviews that allow everything. Everything else is the
 * CRUD mock's own behaviour. Plain HTTP watches are not here: see {@link ApiFrontServer}.
 */
public class LocalApiDispatcher extends KubernetesMixedDispatcher {
    private static final Logger log = LoggerFactory.getLogger(LocalApiDispatcher.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern GROUP_VERSION = Pattern.compile("/apis/([^/]+)/([^/]+)");
    private static final Pattern OPENAPI_GROUP_VERSION = Pattern.compile("/openapi/v3/(?:api/(v1)|apis/([^/]+)/([^/]+))");
    private static final Pattern REVIEW = Pattern.compile(
            "/apis/authorization\\.k8s\\.io/v1/(?:namespaces/[^/]+/)?(selfsubjectrulesreviews|selfsubjectaccessreviews"
                    + "|subjectaccessreviews|localsubjectaccessreviews)");
    static final String CRDS_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final TableBuilder tables;
    /** Writes are serialised so that the resourceVersion check and the write are one step. */
    private final Object writeLock = new Object();

    public LocalApiDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, TableBuilder tables) {
        super(responses);
        this.tables = tables;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        try {
            return json(route(request));
        } catch (RuntimeException | IOException e) {
            log.warn("local API failed to answer {}: {}", request, e.toString(), e);
            return json(status(500, "InternalError", e.toString()));
        }
    }

    private MockResponse route(RecordedRequest request) throws IOException {
        RequestPath path = RequestPath.parse(request.getPath());
        switch (request.method()) {
            case GET:
                if (path.isWatch()) {
                    return super.dispatch(request);
                }
                if (path.path().equals("/version") || path.path().equals("/")) {
                    // Answered by the mock's expectations, which match the path without a query.
                    return super.dispatch(withPath(request, path.path(), request.getHeaders()));
                }
                MockResponse document = document(path.path());
                return document != null ? document : get(request, path);
            case POST:
                if (REVIEW.matcher(path.path()).matches()) {
                    return review(path.path(), request.getBody().readUtf8());
                }
                return super.dispatch(withPath(request, path.path(), request.getHeaders()));
            case PUT:
            case PATCH:
                // The mock recognises /status only at the very end of the path, and knows JSON and
                // merge patches only: kubectl's strategic merge patches are applied as merge patches.
                synchronized (writeLock) {
                    MockResponse conflict = resourceVersionConflict(path.path(), request);
                    if (conflict != null) {
                        return conflict;
                    }
                    return super.dispatch(withPath(request, path.path(), mergePatchFor(request.getHeaders())));
                }
            default:
                return super.dispatch(request);
        }
    }

    /**
     * Optimistic concurrency, as the real API server does it: an update (or merge patch) that names a
     * resourceVersion is refused with 409 unless it is the stored one. The CRUD mock does not check
     * it, and Ferry's task hand-over (operator assigns, holder reports) relies on it.
     */
    private MockResponse resourceVersionConflict(String path, RecordedRequest request) throws IOException {
        String contentType = request.getHeader("Content-Type");
        boolean checkable = request.method() == HttpMethod.PUT
                || contentType != null && contentType.startsWith("application/merge-patch+json");
        if (!checkable || request.getBody() == null || request.getBody().size() == 0) {
            return null;
        }
        JsonNode body;
        try {
            body = MAPPER.readTree(request.getBody().getBytes());
        } catch (IOException e) {
            return null;
        }
        String expected = body == null ? "" : body.path("metadata").path("resourceVersion").asText("");
        if (expected.isEmpty()) {
            return null;
        }
        String objectPath = path.endsWith("/status") ? path.substring(0, path.length() - "/status".length()) : path;
        MockResponse current = super.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, objectPath,
                Headers.builder().build(), new Buffer()));
        if (current.code() != 200 || current.getBody() == null) {
            return null;
        }
        String stored = MAPPER.readTree(current.getBody().getBytes()).path("metadata").path("resourceVersion").asText("");
        if (stored.equals(expected)) {
            return null;
        }
        return status(409, "Conflict", "Operation cannot be fulfilled on " + objectPath
                + ": the object has been modified; please apply your changes to the latest version and try again");
    }

    /** Discovery and OpenAPI documents, or null when the path is not one of them. */
    private MockResponse document(String path) {
        if (path.equals("/api")) {
            return ok(DiscoveryDocuments.apiVersions());
        }
        if (path.equals("/apis")) {
            return ok(DiscoveryDocuments.groupList(catalog()));
        }
        if (path.equals("/api/v1")) {
            return okOrNotFound(DiscoveryDocuments.resourceList(catalog(), "", "v1"));
        }
        Matcher groupVersion = GROUP_VERSION.matcher(path);
        if (groupVersion.matches()) {
            return okOrNotFound(DiscoveryDocuments.resourceList(catalog(), groupVersion.group(1), groupVersion.group(2)));
        }
        if (path.equals("/openapi/v3")) {
            return ok(OpenApiDocuments.root(catalog()));
        }
        Matcher openApi = OPENAPI_GROUP_VERSION.matcher(path);
        if (openApi.matches()) {
            return openApi.group(1) != null
                    ? okOrNotFound(OpenApiDocuments.groupVersion(catalog(), "", "v1"))
                    : okOrNotFound(OpenApiDocuments.groupVersion(catalog(), openApi.group(2), openApi.group(3)));
        }
        if (path.startsWith("/openapi/")) {
            return notFound();
        }
        return null;
    }

    private MockResponse get(RecordedRequest request, RequestPath path) throws IOException {
        FieldSelector fieldSelector = FieldSelector.parse(path.query("fieldSelector"));
        MockResponse response = super.dispatch(withPath(request, path.without("fieldSelector"), request.getHeaders()));
        if (response.code() != 200 || response.getBody() == null || response.getBody().size() == 0) {
            return response;
        }
        JsonNode body = MAPPER.readTree(response.getBody().getBytes());
        if (!fieldSelector.isEmpty() && body.has("items")) {
            List<JsonNode> items = new ArrayList<>();
            body.get("items").forEach(items::add);
            ArrayNode kept = ((ObjectNode) body).putArray("items");
            items.stream().filter(fieldSelector::matches).forEach(kept::add);
        }
        RequestPath.Resource resource = path.resource();
        String accept = request.getHeader("Accept");
        if (accept != null && accept.contains("as=Table") && resource != null) {
            return ok(table(body, resource));
        }
        if (resource != null && "List".equals(body.path("kind").asText())) {
            typeList((ObjectNode) body, resource);
        }
        return ok(body);
    }

    /**
     * The mock answers every list as a generic {@code v1 List}; typed clients (kubectl describe's
     * event lookup, for one) want {@code EventList} in the resource's group version.
     */
    private void typeList(ObjectNode list, RequestPath.Resource resource) {
        ResourceCatalog.of(List.of()).find(resource.group(), resource.version(), resource.plural())
                .or(() -> catalog().find(resource.group(), resource.version(), resource.plural()))
                .ifPresent(type -> {
                    list.put("kind", type.kind() + "List");
                    list.put("apiVersion", type.groupVersion());
                });
    }

    private JsonNode table(JsonNode body, RequestPath.Resource resource) {
        List<PrinterColumn> printerColumns = catalog().find(resource.group(), resource.version(), resource.plural())
                .map(ApiResource::printerColumns).orElse(List.of());
        List<JsonNode> objects = new ArrayList<>();
        if (body.has("items")) {
            body.get("items").forEach(objects::add);
        } else {
            objects.add(body);
        }
        return tables.table(objects, TableBuilder.columns(printerColumns),
                body.path("metadata").path("resourceVersion").asText(""));
    }

    /** Authorization reviews allow everything: the local API has one user, its owner. */
    private MockResponse review(String path, String body) throws IOException {
        ObjectNode review = readReview(path, body);
        ObjectNode status = review.putObject("status");
        if (path.endsWith("selfsubjectrulesreviews")) {
            ObjectNode resourceRule = status.putArray("resourceRules").addObject();
            resourceRule.putArray("verbs").add("*");
            resourceRule.putArray("apiGroups").add("*");
            resourceRule.putArray("resources").add("*");
            ObjectNode nonResourceRule = status.putArray("nonResourceRules").addObject();
            nonResourceRule.putArray("verbs").add("*");
            nonResourceRule.putArray("nonResourceURLs").add("*");
            status.put("incomplete", false);
        } else {
            status.put("allowed", true);
            status.put("reason", "the local Ferry API allows everything");
        }
        return ok(review).setResponseCode(201);
    }

    /**
     * The review as sent, or (kubectl sends reviews as protobuf, which the local API does not
     * decode) a fresh one of the kind the path names: the answer is the same for any question.
     */
    private static ObjectNode readReview(String path, String body) {
        try {
            JsonNode review = MAPPER.readTree(body);
            if (review != null && review.isObject()) {
                return (ObjectNode) review;
            }
        } catch (IOException e) {
            log.debug("review body is not JSON (protobuf?): answering a fresh review");
        }
        String plural = path.substring(path.lastIndexOf('/') + 1);
        ObjectNode review = JsonNodeFactory.instance.objectNode();
        review.put("kind", ResourceCatalog.of(List.of()).find("authorization.k8s.io", "v1", plural)
                .map(ApiResource::kind).orElse("SelfSubjectAccessReview"));
        review.put("apiVersion", "authorization.k8s.io/v1");
        review.putObject("metadata");
        review.putObject("spec");
        return review;
    }

    /** The catalog as stored right now: CRDs are read from the mock's own store. */
    ResourceCatalog catalog() {
        MockResponse crds = super.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, CRDS_PATH,
                Headers.builder().build(), new Buffer()));
        List<JsonNode> items = new ArrayList<>();
        try {
            if (crds.code() == 200 && crds.getBody() != null) {
                MAPPER.readTree(crds.getBody().getBytes()).path("items").forEach(items::add);
            }
        } catch (IOException e) {
            log.warn("cannot read the stored CRDs: {}", e.toString());
        }
        return ResourceCatalog.of(items);
    }

    private static RecordedRequest withPath(RecordedRequest request, String path, Headers headers) {
        return new RecordedRequest(request.getHttpVersion(), request.method(), path, headers, request.getBody());
    }

    private static Headers mergePatchFor(Headers headers) {
        String contentType = headers.header("Content-Type");
        if (contentType != null && contentType.startsWith("application/strategic-merge-patch+json")) {
            return headers.newBuilder().set("Content-Type", "application/merge-patch+json").build();
        }
        return headers;
    }

    private static MockResponse ok(JsonNode body) {
        return new MockResponse().setResponseCode(200).setBody(body.toString());
    }

    private static MockResponse okOrNotFound(JsonNode body) {
        return body != null ? ok(body) : notFound();
    }

    private static MockResponse notFound() {
        return status(404, "NotFound", "the server could not find the requested resource");
    }

    static MockResponse status(int code, String reason, String message) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return new MockResponse().setResponseCode(code).setBody(status.toString());
    }

    /** The mock answers without a Content-Type; kubectl's decoders want one. */
    private static MockResponse json(MockResponse response) {
        if (response != null && response.getWebSocketListener() == null && response.header("Content-Type") == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return response;
    }
}
