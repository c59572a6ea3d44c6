package dev.ferry.local.apiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * The places the local API reaches into the Fabric8 CRUD mock past its public API: to index its objects
 * ({@link IndexedObjects}), the attributes of an {@link AttributeSet} (package-private) and the map a
 * {@link CrudDispatcher} keeps its objects in (a final field set by its constructor); to replace objects
 * as the mock does ({@link IndexedCrudDispatcher#replace}), the lock its handlers take. All fail at start,
 * with the field named, should a Fabric8 upgrade rename them; {@code IndexedObjectsTest} pins them.
 */
final class MockInternals {
    private static final VarHandle ATTRIBUTES;

    static {
        try {
            ATTRIBUTES = MethodHandles.privateLookupIn(AttributeSet.class, MethodHandles.lookup())
                    .findVarHandle(AttributeSet.class, "attributes", Map.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the Fabric8 mock's AttributeSet has no field 'attributes'", e);
        }
    }

    private MockInternals() {
    }

    /** The lock the mock's handlers hold: the write lock while they change objects, the read lock to read. */
    static ReadWriteLock lock(KubernetesCrudDispatcher dispatcher) {
        try {
            Field lock = KubernetesCrudDispatcher.class.getDeclaredField("lock");
            lock.setAccessible(true);
            return (ReadWriteLock) lock.get(dispatcher);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the Fabric8 KubernetesCrudDispatcher's field 'lock'", e);
        }
    }

    @SuppressWarnings("unchecked")
    static Collection<Attribute> attributes(AttributeSet set) {
        return ((Map<?, Attribute>) ATTRIBUTES.get(set)).values();
    }

    /** Makes {@code dispatcher} keep its objects in {@code objects}, which must be empty, as its map is now. */
    static void replaceObjects(CrudDispatcher dispatcher, Map<AttributeSet, String> objects) {
        if (!dispatcher.getMap().isEmpty()) {
            throw new IllegalStateException("the CRUD mock already holds objects");
        }
        try {
            Field map = CrudDispatcher.class.getDeclaredField("map");
            map.setAccessible(true);
            map.set(dispatcher, objects);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot replace the Fabric8 CrudDispatcher's field 'map'", e);
        }
    }
}
