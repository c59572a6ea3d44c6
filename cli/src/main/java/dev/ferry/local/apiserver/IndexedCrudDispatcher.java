package dev.ferry.local.apiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.Map;

/**
 * The Fabric8 CRUD mock, unchanged in what it answers, with its objects in {@link IndexedObjects}: a get,
 * a list, a delete and the lookup before every write look only at the objects that carry the query's name,
 * namespace, type or label, not at every object in the store. With ten thousand tasks live, a status write
 * or a get by name no longer costs a scan of them all under the mock's lock.
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
    private final IndexedObjects objects = new IndexedObjects();

    IndexedCrudDispatcher() {
        MockInternals.replaceObjects(this, objects);
    }

    @Override
    public MockResponse handleGet(String path) {
        return objects.narrowedTo(getAttributeExtractor().fromPath(path), () -> super.handleGet(path));
    }

    @Override
    public MockResponse handleDelete(String path) {
        return objects.narrowedTo(getAttributeExtractor().fromPath(path), () -> super.handleDelete(path));
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        return objects.narrowedTo(query, () -> super.findResource(query));
    }

    IndexedObjects objects() {
        return objects;
    }
}
