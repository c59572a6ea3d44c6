package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.api.CrdResources;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The indexed CRUD mock answers what the Fabric8 CRUD mock answers, request for request, while a
 * get by name looks at one object instead of all of them.
 */
class IndexedCrudDispatcherTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> NAMESPACES = List.of("default", "team-a", "team-b");
    private static final List<String> APPS = List.of("web", "db", "cache");

    private final KubernetesCrudDispatcher plain = new KubernetesCrudDispatcher();
    private final LiveWatches watches = new LiveWatches();
    private final IndexedCrudDispatcher indexed = new IndexedCrudDispatcher(new DeletionHistory(100), watches);

    @Test
    void everyReadAndWriteIsAnsweredAsTheUnindexedMockAnswersIt() throws Exception {
        Random random = new Random(7);
        List<String> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String namespace = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
            String app = APPS.get(random.nextInt(APPS.size()));
            String name = "obj-" + random.nextInt(60); // names repeat across namespaces and types
            String kind = random.nextBoolean() ? "pods" : "configmaps";
            switch (random.nextInt(5)) {
                case 0, 1 -> both(HttpMethod.POST, "/api/v1/namespaces/" + namespace + "/" + kind,
                        object(kind, namespace, name, app, random.nextBoolean()), null);
                case 2 -> both(HttpMethod.PATCH, "/api/v1/namespaces/" + namespace + "/" + kind + "/" + name,
                        "{\"metadata\":{\"labels\":{\"app\":\"" + app + "\"}}}", "application/merge-patch+json");
                case 3 -> both(HttpMethod.PUT, "/api/v1/namespaces/" + namespace + "/" + kind + "/" + name,
                        object(kind, namespace, name, app, true), null);
                default -> both(HttpMethod.DELETE, "/api/v1/namespaces/" + namespace + "/" + kind + "/" + name, null, null);
            }
            writes.add(namespace + "/" + kind + "/" + name);
        }
        both(HttpMethod.POST, "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-a\"}}", null);
        both(HttpMethod.POST, "/apis/ferry.dev/v1alpha1/namespaces/team-a/migrationtasks",
                "{\"apiVersion\":\"ferry.dev/v1alpha1\",\"kind\":\"MigrationTask\",\"metadata\":{\"name\":\"obj-1\",\"labels\":{\"app\":\"web\"}}}", null);

        List<String> reads = new ArrayList<>(List.of(
                "/api/v1/pods", "/api/v1/configmaps", "/api/v1/namespaces", "/api/v1/namespaces/team-a",
                "/api/v1/namespaces/missing/pods", "/api/v1/pods?labelSelector=app%3Dweb",
                "/api/v1/pods?labelSelector=app%21%3Dweb", "/api/v1/pods?labelSelector=app",
                "/api/v1/pods?labelSelector=%21tier", "/api/v1/pods?labelSelector=tier%3Dfront%2Capp%3Ddb",
                "/api/v1/pods?labelSelector=app%20in%20%28web%2Cdb%29",
                "/api/v1/pods?labelSelector=app%20notin%20%28web%29",
                "/api/v1/pods?fieldSelector=metadata.name%3Dobj-3",
                "/api/v1/namespaces/team-a/pods?fieldSelector=metadata.name%21%3Dobj-3",
                "/apis/ferry.dev/v1alpha1/migrationtasks", "/apis/ferry.dev/v1alpha1/namespaces/team-a/migrationtasks/obj-1"));
        for (String namespace : NAMESPACES) {
            for (String kind : List.of("pods", "configmaps")) {
                reads.add("/api/v1/namespaces/" + namespace + "/" + kind);
                reads.add("/api/v1/namespaces/" + namespace + "/" + kind + "?labelSelector=app%3Ddb");
                for (int n = 0; n < 60; n += 7) {
                    reads.add("/api/v1/namespaces/" + namespace + "/" + kind + "/obj-" + n);
                }
            }
        }
        int objectsRead = 0;
        for (String path : reads) {
            MockResponse expected = plain.dispatch(request(HttpMethod.GET, path, null, null));
            assertSame(path, expected, indexed.dispatch(request(HttpMethod.GET, path, null, null)));
            objectsRead += expected.code() == 200 ? summary(expected).size() : 0;
        }
        assertThat(objectsRead).as("the reads compared found objects").isGreaterThan(300);
        assertThat(writes).hasSize(300);
        assertThat(indexed.objects().size()).isEqualTo(plain.getMap().size()).isPositive();
    }

    @Test
    void aLiveWatchFoldedFromItsEventsHoldsWhatAListAnswersAfterEveryWrite() throws Exception {
        String scope = "/api/v1/namespaces/team-a/pods?labelSelector=app%3Dweb";
        LiveWatch watch = watches.open(indexed.query(scope));
        Map<String, String> folded = new TreeMap<>();
        Random random = new Random(11);
        int events = 0;
        for (int i = 0; i < 400; i++) {
            String namespace = NAMESPACES.get(random.nextInt(2) + 1);
            String app = APPS.get(random.nextInt(2)); // moves objects in and out of the scope
            String path = "/api/v1/namespaces/" + namespace + "/pods";
            String name = "obj-" + random.nextInt(25);
            switch (random.nextInt(4)) {
                case 0 -> indexed.dispatch(request(HttpMethod.POST, path, object("pods", namespace, name, app, false), null));
                case 1 -> indexed.dispatch(request(HttpMethod.PATCH, path + "/" + name,
                        "{\"metadata\":{\"labels\":{\"app\":\"" + app + "\"}}}", "application/merge-patch+json"));
                case 2 -> indexed.dispatch(request(HttpMethod.PUT, path + "/" + name, object("pods", namespace, name, app, true), null));
                default -> indexed.dispatch(request(HttpMethod.DELETE, path + "/" + name, null, null));
            }
            for (LiveWatch.Event event : watch.take(0, TimeUnit.MILLISECONDS)) {
                JsonNode object = MAPPER.readTree(event.json());
                String name0 = object.path("metadata").path("name").asText();
                switch (event.type()) {
                    case "ADDED" -> assertThat(folded.put(name0, describe(object))).as("added twice: " + name0).isNull();
                    case "MODIFIED" -> assertThat(folded.put(name0, describe(object))).as("modified unseen: " + name0).isNotNull();
                    case "DELETED" -> assertThat(folded.remove(name0)).as("deleted unseen: " + name0).isNotNull();
                    default -> throw new AssertionError(event.type());
                }
                events++;
            }
            Map<String, String> listed = new TreeMap<>();
            JsonNode list = MAPPER.readTree(indexed.dispatch(request(HttpMethod.GET, scope, null, null)).getBody().getBytes());
            list.path("items").forEach(item -> listed.put(item.path("metadata").path("name").asText(), describe(item)));
            assertThat(folded).as("after write " + i).isEqualTo(listed);
        }
        assertThat(events).as("the writes touched the scope").isGreaterThan(30);

        watch.close();
        assertThat(watches.size()).isZero();
    }

    @Test
    void aGetByNameLooksAtTheObjectsOfThatNameOnly() throws Exception {
        for (int i = 0; i < 1000; i++) {
            both(HttpMethod.POST, "/api/v1/namespaces/default/pods", object("pods", "default", "pod-" + i, "web", false), null);
        }
        KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) indexed.getAttributeExtractor();

        assertThat(indexed.objects().candidates(extractor.fromPath("/api/v1/namespaces/default/pods/pod-17"))).hasSize(1);
        assertThat(indexed.objects().candidates(extractor.fromPath("/api/v1/namespaces/default/pods/absent"))).isEmpty();
        assertThat(indexed.objects().candidates(extractor.fromPath("/api/v1/namespaces/default/pods"))).hasSize(1000);
        assertThat(code(indexed.dispatch(request(HttpMethod.GET, "/api/v1/namespaces/default/pods/pod-17", null, null))))
                .isEqualTo(200);
    }

    @Test
    void keysOfObjectsNamedInSequenceHashApart() {
        KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) indexed.getAttributeExtractor();
        AttributeSet collection = extractor.fromPath("/apis/ferry.dev/v1alpha1/namespaces/default/migrationtasks");
        Set<Integer> mockHashes = new HashSet<>();
        Set<Integer> storedHashes = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            AttributeSet key = AttributeSet.merge(collection, extractor.fromResource(
                    "{\"apiVersion\":\"ferry.dev/v1alpha1\",\"kind\":\"MigrationTask\",\"metadata\":{\"name\":\""
                            + String.format("job-%05d", i) + "\",\"namespace\":\"default\",\"labels\":{\"ferry.dev/job\":\"job\"}}}"));
            mockHashes.add(key.hashCode());
            storedHashes.add(IndexedObjects.hashOf(key));
        }

        assertThat(mockHashes).as("the mock's own hash: why keys are stored with another").hasSizeLessThan(5_000);
        assertThat(storedHashes).hasSizeGreaterThan(9_990);
    }

    @Test
    void theIndexForgetsWhatIsDeleted() throws Exception {
        int emptyStore = indexed.objects().postingCount();
        for (int i = 0; i < 50; i++) {
            both(HttpMethod.POST, "/api/v1/namespaces/team-a/configmaps", object("configmaps", "team-a", "cm-" + i, "db", true), null);
        }
        for (int i = 0; i < 50; i++) {
            both(HttpMethod.PATCH, "/api/v1/namespaces/team-a/configmaps/cm-" + i,
                    "{\"metadata\":{\"labels\":{\"app\":\"cache\"}}}", "application/merge-patch+json");
        }
        assertThat(indexed.objects().postingCount()).isGreaterThan(emptyStore);

        for (int i = 0; i < 50; i++) {
            both(HttpMethod.DELETE, "/api/v1/namespaces/team-a/configmaps/cm-" + i, null, null);
        }

        assertThat(indexed.objects().size()).isZero();
        assertThat(indexed.objects().postingCount()).isEqualTo(emptyStore);
    }

    /**
     * A PUT stored from the admitted object ({@link IndexedCrudDispatcher#replace}) leaves what the mock's own
     * PutHandler leaves: status kept or replaced, generation and resourceVersion moved or not, the index, the
     * live watches. Tasks (a CRD with a status subresource) and widgets (no CRD: status is the body's).
     */
    @Test
    void aReplaceFromTheAdmittedObjectStoresWhatTheMocksPutStores() throws Exception {
        String crd = CrdResources.read("migrationtasks.ferry.dev.yaml");
        String crdJson = MAPPER.writeValueAsString(new ObjectMapper(new YAMLFactory()).readTree(crd));
        both(HttpMethod.POST, ResourceCatalog.CRDS_PATH, crdJson, null);
        LiveWatch watch = watches.open(indexed.query("/apis/ferry.dev/v1alpha1/namespaces/default/migrationtasks"));
        MockStore store = new MockStore(indexed::dispatch, path -> {
            List<String> found = indexed.objects().matching(indexed.query(path));
            return found.size() == 1 ? found.get(0) : null;
        });
        Random random = new Random(5);
        int replaced = 0;
        for (int i = 0; i < 300; i++) {
            boolean task = random.nextBoolean();
            String collection = task ? "/apis/ferry.dev/v1alpha1/namespaces/default/migrationtasks"
                    : "/apis/example.dev/v1/namespaces/default/widgets";
            String name = "obj-" + random.nextInt(8);
            String body = customObject(task, name, random);
            int write = random.nextInt(6);
            if (write == 0) {
                both(HttpMethod.POST, collection, body, null);
                continue;
            }
            String path = collection + "/" + name + (write <= 2 ? "/status" : "");
            MockResponse expected = plain.dispatch(request(HttpMethod.PUT, path, body, null));
            MockResponse actual = indexed.replace(path, (ObjectNode) MAPPER.readTree(body),
                    new StoredObject(store, path));
            if (actual == null) {
                assertThat(code(expected)).as("the mock answers what replace leaves to it: " + path).isIn(404, 400);
                actual = indexed.dispatch(request(HttpMethod.PUT, path, body, null));
            } else {
                replaced++;
            }
            assertThat(code(actual)).as(path).isEqualTo(code(expected));
            if (code(expected) == 200) {
                assertThat(stored(actual)).as("PUT " + path + " " + body).isEqualTo(stored(expected));
            }
        }
        assertThat(replaced).as("writes replace stored itself").isGreaterThan(100);
        for (String name : List.of("obj-0", "obj-1", "obj-2", "obj-3")) {
            for (String collection : List.of("/apis/ferry.dev/v1alpha1/namespaces/default/migrationtasks",
                    "/apis/example.dev/v1/namespaces/default/widgets")) {
                MockResponse expected = plain.dispatch(request(HttpMethod.GET, collection + "/" + name, null, null));
                MockResponse actual = indexed.dispatch(request(HttpMethod.GET, collection + "/" + name, null, null));
                assertThat(code(actual)).isEqualTo(code(expected));
                if (code(expected) == 200) {
                    assertThat(stored(actual)).isEqualTo(stored(expected));
                }
            }
        }
        for (String selector : List.of("app%3Dweb", "app%3Ddb", "app")) {
            String list = "/apis/ferry.dev/v1alpha1/namespaces/default/migrationtasks?labelSelector=" + selector;
            assertSame(list, plain.dispatch(request(HttpMethod.GET, list, null, null)),
                    indexed.dispatch(request(HttpMethod.GET, list, null, null)));
        }
        assertThat(watch.take(0, TimeUnit.MILLISECONDS)).as("the live watch heard the replaces").isNotEmpty();
        watch.close();
    }

    /** The object as stored, less what each store gives of its own (uid, creation time). */
    private static JsonNode stored(MockResponse response) throws Exception {
        ObjectNode object =
                (ObjectNode) MAPPER.readTree(response.getBody().getBytes());
        ((ObjectNode) object.get("metadata")).remove(List.of("uid", "creationTimestamp"));
        return object;
    }

    /** A task or widget with a random label, spec and status; sometimes no status, sometimes another name. */
    private static String customObject(boolean task, String name, Random random) {
        String apiVersion = task ? "ferry.dev/v1alpha1" : "example.dev/v1";
        String kind = task ? "MigrationTask" : "Widget";
        String named = random.nextInt(10) == 0 ? "other" : name;
        String labels = random.nextInt(4) == 0 ? "" : ",\"labels\":{\"app\":\"" + APPS.get(random.nextInt(2)) + "\"}";
        String spec = task ? "{\"type\":\"Copy\",\"prefix\":\"p" + random.nextInt(2) + "\"}"
                : "{\"size\":" + random.nextInt(2) + "}";
        String status = switch (random.nextInt(3)) {
            case 0 -> "";
            case 1 -> ",\"status\":{\"phase\":\"Running\"}";
            default -> ",\"status\":{\"phase\":\"Succeeded\",\"message\":\"m" + random.nextInt(2) + "\"}";
        };
        return "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"" + named
                + "\",\"namespace\":\"default\"" + labels + "},\"spec\":" + spec + status + "}";
    }

    /** The same request to both stores; their answers must agree. */
    private void both(HttpMethod method, String path, String body, String contentType) throws Exception {
        assertSame(method + " " + path, plain.dispatch(request(method, path, body, contentType)),
                indexed.dispatch(request(method, path, body, contentType)));
    }

    /**
     * Same code and same objects in the same order. Uids and timestamps are each store's own, and so are
     * resourceVersions: the indexed store gives each deletion a version, as a real API server does.
     */
    private static void assertSame(String what, MockResponse expected, MockResponse actual) throws Exception {
        assertThat(code(actual)).as(what).isEqualTo(code(expected));
        assertThat(summary(actual)).as(what).isEqualTo(summary(expected));
    }

    private static int code(MockResponse response) {
        return response == null ? -1 : response.code();
    }

    private static List<String> summary(MockResponse response) throws Exception {
        if (response == null || response.getBody() == null || response.getBody().size() == 0) {
            return List.of();
        }
        JsonNode body = MAPPER.readTree(response.getBody().getBytes());
        List<String> objects = new ArrayList<>();
        if (body.has("items")) {
            body.get("items").forEach(item -> objects.add(describe(item)));
        } else {
            objects.add(describe(body));
        }
        return objects;
    }

    private static String describe(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        return object.path("kind").asText() + " " + metadata.path("namespace").asText() + "/" + metadata.path("name").asText()
                + " labels=" + metadata.path("labels") + " data=" + object.path("data");
    }

    private static String object(String plural, String namespace, String name, String app, boolean tier) {
        String kind = plural.equals("pods") ? "Pod" : "ConfigMap";
        String labels = "\"app\":\"" + app + "\"" + (tier ? ",\"tier\":\"front\"" : "");
        return "{\"apiVersion\":\"v1\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\""
                + namespace + "\",\"labels\":{" + labels + "}}}";
    }

    private static RecordedRequest request(HttpMethod method, String path, String body, String contentType) {
        Headers.Builder headers = Headers.builder();
        if (contentType != null) {
            headers.add("Content-Type", contentType);
        }
        Buffer buffer = new Buffer();
        if (body != null) {
            buffer.write(body.getBytes(StandardCharsets.UTF_8));
        }
        return new RecordedRequest("HTTP/1.1", method, path, headers.build(), buffer);
    }
}
