package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code scale} subresource of Deployments, ReplicaSets and StatefulSets ({@code kubectl scale}): an
 * {@code autoscaling/v1 Scale} read from the object, and a write of its {@code spec.replicas} applied to the
 * object as a merge patch through the ordinary write path (so watches, the local kubelet's included, see it).
 * The CRUD mock would answer with the object itself, which kubectl cannot decode as a Scale.
 */
final class ScaleSubresource {
    static final String GROUP = "apps";
    static final Set<String> SCALABLE = Set.of("deployments", "replicasets", "statefulsets");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<String, String> storedAt;
    private final Function<RecordedRequest, MockResponse> write;

    /** {@code storedAt}: an object's JSON by path, or null; {@code write}: the API's answer to a write. */
    ScaleSubresource(Function<String, String> storedAt, Function<RecordedRequest, MockResponse> write) {
        this.storedAt = storedAt;
        this.write = write;
    }

    static boolean isScale(RequestPath.Resource resource) {
        return resource != null && GROUP.equals(resource.group()) && SCALABLE.contains(resource.plural())
                && resource.name() != null && "scale".equals(resource.subresource());
    }

    MockResponse answer(RecordedRequest request, RequestPath.Resource resource) throws IOException {
        String stored = storedAt.apply(resource.objectPath());
        if (stored == null) {
            return ObjectReads.objectNotFound(resource);
        }
        if (request.method() == HttpMethod.GET) {
            return ApiResponses.ok(scaleOf(JSON.readTree(stored)));
        }
        if (request.method() != HttpMethod.PUT && request.method() != HttpMethod.PATCH) {
            return ApiResponses.status(405, "MethodNotAllowed", "the scale subresource answers get, patch and update");
        }
        JsonNode body = JSON.readTree(request.getBody().getBytes());
        Integer replicas = replicasOf(body);
        if (replicas == null && request.method() == HttpMethod.PUT && body.isObject()) {
            replicas = 0; // a Scale written whole: Go's clients leave a zero spec.replicas out
        } else if (replicas == null && request.method() == HttpMethod.PATCH && !body.path("spec").has("replicas")) {
            return ApiResponses.ok(scaleOf(JSON.readTree(stored))); // a patch that leaves the replicas as they are
        }
        if (replicas == null || replicas < 0) {
            return ApiResponses.status(422, "Invalid", "Scale.autoscaling \"" + resource.name()
                    + "\" is invalid: spec.replicas: Invalid value: must be an integer of 0 or more");
        }
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("spec").put("replicas", replicas);
        MockResponse written = write.apply(new RecordedRequest("HTTP/1.1", HttpMethod.PATCH, resource.objectPath(),
                Headers.builder().add("Content-Type", "application/merge-patch+json").build(),
                new Buffer(patch.toString().getBytes(StandardCharsets.UTF_8))));
        if (written.code() / 100 != 2) { // the mock answers a patch with 202
            return written;
        }
        return ApiResponses.ok(scaleOf(JSON.readTree(written.getBody().getBytes())));
    }

    /** {@code spec.replicas} of a Scale or a merge patch, or of a JSON patch's replace of {@code /spec/replicas}. */
    private static Integer replicasOf(JsonNode body) {
        if (body.isArray()) {
            for (JsonNode operation : body) {
                if ("/spec/replicas".equals(operation.path("path").asText())
                        && Set.of("replace", "add").contains(operation.path("op").asText())
                        && operation.path("value").canConvertToInt()) {
                    return operation.path("value").asInt();
                }
            }
            return null;
        }
        JsonNode replicas = body.path("spec").path("replicas");
        return replicas.canConvertToInt() && replicas.isIntegralNumber() ? replicas.asInt() : null;
    }

    static ObjectNode scaleOf(JsonNode object) {
        ObjectNode scale = JSON.createObjectNode();
        scale.put("kind", "Scale");
        scale.put("apiVersion", "autoscaling/v1");
        ObjectNode metadata = scale.putObject("metadata");
        for (String field : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (object.path("metadata").has(field)) {
                metadata.set(field, object.path("metadata").get(field));
            }
        }
        scale.putObject("spec").put("replicas", object.path("spec").path("replicas").asInt(1));
        ObjectNode status = scale.putObject("status");
        status.put("replicas", object.path("status").path("replicas").asInt(0));
        List<String> selector = new ArrayList<>();
        object.path("spec").path("selector").path("matchLabels").fields()
                .forEachRemaining(label -> selector.add(label.getKey() + "=" + label.getValue().asText()));
        if (!selector.isEmpty()) {
            status.put("selector", String.join(",", selector));
        }
        return scale;
    }
}
