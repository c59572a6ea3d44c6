package dev.ferry.local.apiserver;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Fabric8 CRUD mock, unchanged in what it answers, with its objects in {@link IndexedObjects}: a get,
 * a list, a delete and the lookup before every write look only at the objects that carry the query's name,
 * namespace, type or label, not at every object in the store. With ten thousand tasks live, a status write
 * or a get by name no longer costs a scan of them all under the mock's lock. Every object it deletes goes
 * to the {@link DeletionHistory}, with a resourceVersion of its own, for watches resumed later, and every
 * change to the {@link LiveWatches}.
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
    private final IndexedObjects objects = new IndexedObjects();
    private final DeletionHistory deletions;
    private final LiveWatches watches;

    IndexedCrudDispatcher(DeletionHistory deletions, LiveWatches watches) {
        this.deletions = deletions;
        this.watches = watches;
        MockInternals.replaceObjects(this, objects);
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
     * Every stored change passes here (creation, update, patch, deletion, a deletion that only marks a
     * finalized object): the mock's own watches hear of it as before, the {@link LiveWatches} after them.
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
            GenericKubernetesResource resource, String newState) {
        String before = oldAttributes == null ? null : objects.get(oldAttributes);
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        if (!Objects.equals(before, newState)) {
            watches.changed(oldAttributes, before, newState == null ? null : objects.lastPut(), newState);
        }
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
