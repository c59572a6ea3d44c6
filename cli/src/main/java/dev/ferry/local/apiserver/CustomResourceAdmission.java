package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Writes of custom resources (create, update, patch, and their {@code /status}) admitted as a real API
 * server admits them: the object that the write would store — the body, or the stored object with the
 * patch applied — gets its CRD version's defaults, loses its unknown fields and is validated
 * ({@link StructuralSchema}, with the stored object as {@code oldSelf}). Refused: {@code 422 Invalid}
 * with a {@code Status} whose causes name the fields; unknown fields with {@code fieldValidation=Strict}
 * (what {@code kubectl} sends by default): {@code 400 BadRequest}; otherwise they are pruned with a
 * {@code Warning} header. Admitted: the write goes on, rewritten when defaults or pruning changed it.
 * Schemas are read from the stored CRDs and kept until a CRD is written.
 */
final class CustomResourceAdmission {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A refusal, or the request to pass on and the warnings to add to its answer; {@code object} is the object
     * the write stores as admitted, when admission read it (a custom resource with a schema), else null.
     */
    record Admission(MockResponse refusal, RecordedRequest request, List<String> warnings, ObjectNode object) {
        static Admission unchanged(RecordedRequest request) {
            return new Admission(null, request, List.of(), null);
        }
    }

    /** A CRD version as admission needs it; {@code schema} null when the CRD does not serve the version. */
    private record Version(String kind, String group, StructuralSchema schema) {
    }

    private final MockStore store;
    private final CelRules rules = new CelRules();
    private final Map<String, Version> versions = new ConcurrentHashMap<>();

    CustomResourceAdmission(MockStore store) {
        this.store = store;
    }

    /** Forgets the schemas read so far: called on every write of a CRD. */
    void crdsChanged() {
        versions.clear();
    }

    /** The write admitted or refused; {@code stored} is what it replaces (nothing for a create). */
    Admission admit(RecordedRequest request, RequestPath path, StoredObject stored) throws IOException {
        RequestPath.Resource resource = path.resource();
        if (resource == null || resource.group().isEmpty() || resource.group().endsWith(".k8s.io")
                || request.getBody() == null || request.getBody().size() == 0) {
            return Admission.unchanged(request);
        }
        Version version = version(resource);
        if (version.schema() == null) {
            return Admission.unchanged(request);
        }
        JsonNode old = resource.name() == null || stored == null ? null : stored.get();
        JsonNode written = written(request, old);
        if (written == null || !written.isObject()) {
            return Admission.unchanged(request); // a patch the mock cannot apply either: its answer stands
        }
        ObjectNode object = ((ObjectNode) written).deepCopy();
        StructuralSchema.Outcome outcome = version.schema().admit(object, old);
        String name = object.path("metadata").path("name").asText(resource.name() == null ? "" : resource.name());
        if (!outcome.errors().isEmpty()) {
            return refused(invalid(version, name, outcome.errors()));
        }
        List<String> warnings = outcome.unknownFields().stream().map(f -> "unknown field \"" + f + "\"").toList();
        if (!warnings.isEmpty() && "Strict".equalsIgnoreCase(path.query("fieldValidation"))) {
            return refused(ApiResponses.status(400, "BadRequest", version.kind() + " in version \""
                    + resource.version() + "\" cannot be handled as a " + version.kind() + ": strict decoding error: "
                    + String.join(", ", warnings)));
        }
        if (object.equals(written)) {
            return new Admission(null, request, warnings, object);
        }
        return new Admission(null, rewritten(request, old, object), warnings, object);
    }

    private static Admission refused(MockResponse response) {
        return new Admission(response, null, List.of(), null);
    }

    /** What the write would store: the body of a create or update, the stored object patched. */
    private static JsonNode written(RecordedRequest request, JsonNode old) throws IOException {
        JsonNode body = MAPPER.readTree(request.getBody().getBytes());
        if (request.method() != HttpMethod.PATCH) {
            return body;
        }
        if (old == null) {
            return null;
        }
        String contentType = String.valueOf(request.getHeader("Content-Type"));
        if (contentType.startsWith("application/json-patch+json")) {
            try {
                return JsonPatch.apply(body, old);
            } catch (RuntimeException e) {
                return null;
            }
        }
        if (contentType.startsWith("application/merge-patch+json")
                || contentType.startsWith("application/strategic-merge-patch+json")) {
            return MergePatches.apply(old, body);
        }
        return null;
    }

    /** The request with the admitted object: its body, or (a patch) the merge patch from the stored object. */
    private static RecordedRequest rewritten(RecordedRequest request, JsonNode old, ObjectNode admitted) {
        boolean patch = request.method() == HttpMethod.PATCH;
        byte[] body = (patch ? MergePatches.between(old, admitted) : admitted).toString()
                .getBytes(StandardCharsets.UTF_8);
        Headers.Builder headers = request.getHeaders().newBuilder().set("Content-Length", Integer.toString(body.length));
        if (patch) {
            headers.set("Content-Type", "application/merge-patch+json");
        }
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), headers.build(),
                new Buffer().write(body));
    }

    private Version version(RequestPath.Resource resource) {
        return versions.computeIfAbsent(resource.plural() + "." + resource.group() + "/" + resource.version(), key -> {
            MockResponse crd = store.get(ResourceCatalog.CRDS_PATH + "/" + resource.plural() + "." + resource.group());
            try {
                if (crd.code() == 200 && crd.getBody() != null) {
                    JsonNode spec = MAPPER.readTree(crd.getBody().getBytes()).path("spec");
                    for (JsonNode v : spec.path("versions")) {
                        JsonNode schema = v.path("schema").get("openAPIV3Schema");
                        if (v.path("name").asText().equals(resource.version()) && schema != null) {
                            return new Version(spec.path("names").path("kind").asText(), resource.group(),
                                    new StructuralSchema(schema, rules));
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the CRD " + key, e);
            }
            return new Version(null, resource.group(), null);
        });
    }

    /** 422 Invalid, worded as the real API server words it, so that kubectl prints the same. */
    private static MockResponse invalid(Version version, String name, List<FieldError> errors) {
        String listed = errors.stream().map(FieldError::text).collect(Collectors.joining(", "));
        String message = version.kind() + "." + version.group() + " \"" + name + "\" is invalid: "
                + (errors.size() == 1 ? listed : "[" + listed + "]");
        ObjectNode status = ApiResponses.statusBody(422, "Invalid", message);
        ObjectNode details = status.putObject("details");
        details.put("name", name);
        details.put("group", version.group());
        details.put("kind", version.kind());
        for (FieldError error : errors) {
            details.withArray("causes").addObject().put("reason", error.reason()).put("message", error.body())
                    .put("field", error.field());
        }
        return ApiResponses.status(status);
    }
}
