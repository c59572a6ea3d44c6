package dev.ferry.local.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.locks.Lock;

/**
 * The Fabric8 CRUD mock, unchanged in what it answers, with its objects in {@link IndexedObjects}: a get,
 * a list, a delete and the lookup before every write look only at the objects that carry the query's name,
 * namespace, type or label, not at every object in the store. With ten thousand tasks live, a status write
 * or a get by name no longer costs a scan of them all under the mock's lock. Every object it deletes goes
 * to the {@link DeletionHistory}, with a resourceVersion of its own, for watches resumed later, and every
 * change to the {@link LiveWatches}.
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final IndexedObjects objects = new IndexedObjects();
    private final OwnerIndex owners = new OwnerIndex();
    /** API paths of objects whose owners are gone, for {@link #collectGarbage}. */
    private final Queue<String> garbage = new ArrayDeque<>();
    private final DeletionHistory deletions;
    private final LiveWatches watches;
    private final Lock writeLock;

    IndexedCrudDispatcher(DeletionHistory deletions, LiveWatches watches) {
        this.deletions = deletions;
        this.watches = watches;
        MockInternals.replaceObjects(this, objects);
        this.writeLock = MockInternals.lock(this).writeLock();
    }

    /**
     * A PUT of a stored object (its {@code /status} or the whole of it) whose body admission has parsed
     * already: stored as the mock's PutHandler stores it, without parsing the body twice more, the stored
     * object again and the result once more to index it, and with equality where it diffs (together most of
     * the local API's time for a task's status write). Null where the mock answers itself: no such object,
     * an object marked for deletion (its finalizers decide), a body that names another object.
     *
     * @param body the object as admitted (defaulted, pruned); not changed
     * @param stored the object as read before admission, reused when it is still the one stored
     */
    MockResponse replace(String path, ObjectNode body, StoredObject stored) {
        writeLock.lock();
        try {
            AttributeSet key = getKey(path);
            Map.Entry<AttributeSet, String> entry = findResource(key);
            if (entry == null) {
                return null;
            }
            JsonNode current = stored.as(entry.getValue());
            boolean statusOnly = path.endsWith("/status");
            // (a /status body's name is not checked: the mock keeps the stored object and takes its status)
            if (!current.isObject() || markedForDeletion(current) || markedForDeletion(body)
                    || !statusOnly && namesAnother(body, key)) {
                return null;
            }
            ObjectNode updated;
            if (statusOnly) {
                updated = ((ObjectNode) current).deepCopy();
                setStatus(updated, body.get("status"));
            } else {
                updated = body.deepCopy();
                if (isStatusSubresourceEnabledForResource(path)) {
                    setStatus(updated, current.get("status"));
                }
            }
            preserveMetadata(current, updated);
            if (!statusOnly) {
                touchGeneration(current, updated);
            }
            touchResourceVersion(current, updated);
            String json = MAPPER.writeValueAsString(updated);
            processEvent(path, key, entry.getKey(), indexed(updated), json);
            return new MockResponse().setResponseCode(200).setBody(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the object at " + path, e);
        } finally {
            writeLock.unlock();
        }
    }

    private static boolean markedForDeletion(JsonNode object) {
        return object.path("metadata").hasNonNull("deletionTimestamp");
    }

    /** The mock's PutHandler refuses, 400, a body whose name or namespace is not the path's. */
    private static boolean namesAnother(ObjectNode body, AttributeSet key) {
        return differs(body.path("metadata").path("name").asText(""), key, "name")
                || differs(body.path("metadata").path("namespace").asText(""), key, "namespace");
    }

    private static boolean differs(String named, AttributeSet key, String attribute) {
        if (named.isEmpty() || !key.containsKey(attribute)) {
            return false;
        }
        return key.getAttribute(attribute).getValues().stream().map(Object::toString).noneMatch(named::equals);
    }

    /** As the mock's handlers set a status: the given one, or none. */
    private static void setStatus(ObjectNode object, JsonNode status) {
        if (status == null) {
            object.remove("status");
        } else {
            object.set("status", status.deepCopy());
        }
    }

    /**
     * What the mock indexes an object by (apiVersion, kind, name, namespace, labels), without the rest: it
     * would otherwise read the whole stored JSON into a resource again to find them.
     */
    private static GenericKubernetesResource indexed(JsonNode object) {
        JsonNode metadata = object.path("metadata");
        Map<String, String> labels = new LinkedHashMap<>();
        metadata.path("labels").fields().forEachRemaining(label -> labels.put(label.getKey(), label.getValue().asText()));
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion(object.path("apiVersion").asText(null));
        resource.setKind(object.path("kind").asText(null));
        resource.setMetadata(new ObjectMetaBuilder().withName(metadata.path("name").asText(null))
                .withNamespace(metadata.path("namespace").asText(null))
                .withLabels(labels.isEmpty() ? null : labels).build());
        return resource;
    }

    /**
     * As the mock's: a new generation when anything but metadata and status changed. By equality of those
     * fields rather than by a JSON diff of the whole objects, which was a tenth of a status write.
     */
    @Override
    public void touchGeneration(JsonNode current, JsonNode updated) {
        if (changedBesidesMetadataAndStatus(current, updated)) {
            ((ObjectNode) updated.get("metadata")).put("generation", current.path("metadata").path("generation").asInt(0) + 1);
        }
    }

    /** As the mock's: a new resourceVersion when anything changed, by equality rather than a JSON diff. */
    @Override
    public void touchResourceVersion(JsonNode current, JsonNode updated) {
        if (!updated.equals(current)) {
            ((ObjectNode) updated.get("metadata")).put("resourceVersion", String.valueOf(requestResourceVersion()));
        }
    }

    private static boolean changedBesidesMetadataAndStatus(JsonNode current, JsonNode updated) {
        Set<String> fields = new HashSet<>();
        current.fieldNames().forEachRemaining(fields::add);
        updated.fieldNames().forEachRemaining(fields::add);
        fields.remove("metadata");
        fields.remove("status");
        return fields.stream().anyMatch(field -> !Objects.equals(current.get(field), updated.get(field)));
    }

    @Override
    public MockResponse handleGet(String path) {
        return objects.narrowedTo(getAttributeExtractor().fromPath(path), () -> super.handleGet(path));
    }

    @Override
    public MockResponse handleDelete(String path) {
        AttributeSet query = getAttributeExtractor().fromPath(path);
        Map<AttributeSet, String> before = new LinkedHashMap<>();
        for (AttributeSet key : objects.candidates(query)) {
            String json = objects.get(key);
            if (json != null && key.matches(query)) {
                before.put(key, json);
            }
        }
        MockResponse response = objects.narrowedTo(query, () -> super.handleDelete(path));
        // Gone from the store, not only marked for deletion (a finalizer keeps an object, under the same key)
        before.forEach((key, json) -> {
            if (!objects.containsKey(key)) {
                deletions.record(requestResourceVersion(), key, json);
            }
        });
        return response;
    }

    /**
     * Deletes the objects whose owners are all gone, and theirs in turn, as a real API server's garbage collector
     * does in the background: a deleted job's tasks and worker Deployment, a Deployment's pods, a pod's Lease, and
     * an object written with owners that no longer exist. The dispatcher calls it after each request, before
     * answering it, so a client that lists right after a delete finds its dependents gone.
     */
    void collectGarbage() {
        while (!garbage.isEmpty()) {
            String path = garbage.poll();
            if (path != null) {
                handleDelete(path);
            }
        }
    }

    /** An object's id in the {@link OwnerIndex}: its namespace, resource and name. */
    private static String idOf(AttributeSet key) {
        return value(key, "namespace") + "/" + value(key, "plural") + "/" + value(key, "name");
    }

    /** The API path of the object stored under {@code key}, of {@code apiVersion}; null without one. */
    private static String pathOf(AttributeSet key, String apiVersion) {
        if (apiVersion == null || !key.containsKey("plural") || !key.containsKey("name")) {
            return null;
        }
        return RequestPath.Resource.ofObject(apiVersion, value(key, "namespace"), value(key, "plural"), value(key, "name"))
                .objectPath();
    }

    private static String value(AttributeSet key, String attribute) {
        if (!key.containsKey(attribute)) {
            return "";
        }
        return key.getAttribute(attribute).getValues().stream().map(Object::toString).findFirst().orElse("");
    }

    /**
     * Every stored change passes here (creation, update, patch, deletion, a deletion that only marks a
     * finalized object): the mock's own watches hear of it as before, the {@link LiveWatches} after them.
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
            GenericKubernetesResource resource, String newState) {
        String before = oldAttributes == null ? null : objects.get(oldAttributes);
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        if (newState != null) {
            AttributeSet key = objects.lastPut();
            owners.written(idOf(key), before, newState, apiVersion -> pathOf(key, apiVersion)).ifPresent(garbage::add);
        } else if (before != null) {
            garbage.addAll(owners.removed(idOf(oldAttributes), before));
        }
        if (!Objects.equals(before, newState)) {
            watches.changed(oldAttributes, before, newState == null ? null : objects.lastPut(), newState);
        }
    }

    @Override
    public void reset() {
        super.reset();
        owners.clear();
        garbage.clear();
    }

    /** The mock's query for a request path (type, namespace, name, labels), to match stored keys with. */
    AttributeSet query(String path) {
        return getAttributeExtractor().fromPath(path);
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        return objects.narrowedTo(query, () -> super.findResource(query));
    }

    IndexedObjects objects() {
        return objects;
    }
}
