package dev.ferry.local.apiserver;

import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The CRUD mock's objects (its map of attribute set to JSON), with an inverted index from each indexed
 * attribute (name, namespace, resource type, each label) to the objects that carry it.
 *
 * <p>The mock answers every read and write by streaming {@link #entrySet()} and keeping the entries whose
 * attributes match the request's query: one scan of every object in the store per request, under its
 * lock. While a query is {@linkplain #narrowedTo announced} on the calling thread, {@link #entrySet()}
 * holds only the candidates for it: the objects of the smallest posting among the query's equality
 * attributes. A query's equality attribute is matched only by an object that carries an equal attribute,
 * so every object the mock would have kept is among the candidates; the mock still applies its own match
 * to them, so what it answers does not change, only what it looks at.
 *
 * <p>Thread-safe as the mock's own map was (every method holds this object's lock); {@code entrySet()} is a
 * snapshot, in the order the mock's map kept (insertion order of each object's last write).
 *
 * <p>Keys are held with a hash of their own ({@link Slot}): {@code AttributeSet}'s hash sums the plain hashes
 * of its attributes, and the keys of objects named in sequence ({@code job-00001}, {@code job-00002}, ...
 * each name twice, as name and metadata.name) fell into a few buckets: 10,000 task keys had 1,502 distinct
 * hashes, and every lookup walked a bucket of tens of keys, comparing each attribute by attribute.
 */
final class IndexedObjects extends AbstractMap<AttributeSet, String> {
    private static final String LABEL_PREFIX = "labels:";
    private static final Set<String> INDEXED_KEYS = Set.of("name", "namespace", "plural", "kind");

    private final Map<Slot, String> objects = new LinkedHashMap<>();
    private final Map<Attribute, Set<Slot>> postings = new HashMap<>();
    private final ThreadLocal<AttributeSet> announced = new ThreadLocal<>();
    /** The key of the last {@link #put}: the mock computes a written object's key and tells no one. */
    private AttributeSet lastPut;

    /** Runs {@code read} with {@link #entrySet()} narrowed, on this thread, to the candidates for {@code query}. */
    <T> T narrowedTo(AttributeSet query, Supplier<T> read) {
        AttributeSet outer = announced.get();
        announced.set(query);
        try {
            return read.get();
        } finally {
            if (outer == null) {
                announced.remove();
            } else {
                announced.set(outer);
            }
        }
    }

    @Override
    public synchronized Set<Entry<AttributeSet, String>> entrySet() {
        List<Slot> keys = slots(announced.get());
        List<Entry<AttributeSet, String>> snapshot = new ArrayList<>(keys.size());
        for (Slot key : keys) {
            snapshot.add(new SimpleImmutableEntry<>(key.set(), objects.get(key)));
        }
        // A set by contract; its keys are distinct already, and hashing each entry (its JSON too) is not needed.
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<AttributeSet, String>> iterator() {
                return snapshot.iterator();
            }

            @Override
            public int size() {
                return snapshot.size();
            }
        };
    }

    /** Keys of the objects that may match {@code query}: all of them when it has no indexed equality. */
    synchronized Collection<AttributeSet> candidates(AttributeSet query) {
        List<Slot> slots = slots(query);
        List<AttributeSet> keys = new ArrayList<>(slots.size());
        slots.forEach(slot -> keys.add(slot.set()));
        return keys;
    }

    private List<Slot> slots(AttributeSet query) {
        if (query == null) {
            return new ArrayList<>(objects.keySet());
        }
        Set<Slot> smallest = null;
        for (Attribute attribute : equalities(query)) {
            Set<Slot> posting = postings.get(attribute);
            if (posting == null) {
                return List.of(); // no object carries it, so none matches
            }
            if (smallest == null || posting.size() < smallest.size()) {
                smallest = posting;
            }
        }
        return smallest == null ? new ArrayList<>(objects.keySet()) : new ArrayList<>(smallest);
    }

    @Override
    public synchronized String put(AttributeSet key, String value) {
        lastPut = key;
        Slot slot = Slot.of(key);
        String previous = objects.put(slot, value);
        if (previous == null) {
            for (Attribute attribute : indexed(key)) {
                postings.computeIfAbsent(attribute, a -> new LinkedHashSet<>()).add(slot);
            }
        }
        return previous;
    }

    /** The key the last {@link #put} stored under; its caller must hold the store's write lock. */
    synchronized AttributeSet lastPut() {
        return lastPut;
    }

    /** The JSON of every object {@code query} matches, by the mock's own match. */
    synchronized List<String> matching(AttributeSet query) {
        List<String> matching = new ArrayList<>();
        for (Slot key : slots(query)) {
            if (key.set().matches(query)) {
                matching.add(objects.get(key));
            }
        }
        return matching;
    }

    @Override
    public synchronized String remove(Object key) {
        if (!(key instanceof AttributeSet set)) {
            return null;
        }
        Slot slot = Slot.of(set);
        String previous = objects.remove(slot);
        if (previous != null) {
            for (Attribute attribute : indexed(set)) {
                Set<Slot> posting = postings.get(attribute);
                if (posting != null && posting.remove(slot) && posting.isEmpty()) {
                    postings.remove(attribute);
                }
            }
        }
        return previous;
    }

    @Override
    public synchronized String get(Object key) {
        return key instanceof AttributeSet set ? objects.get(Slot.of(set)) : null;
    }

    @Override
    public synchronized boolean containsKey(Object key) {
        return key instanceof AttributeSet set && objects.containsKey(Slot.of(set));
    }

    @Override
    public synchronized int size() {
        return objects.size();
    }

    @Override
    public synchronized void clear() {
        objects.clear();
        postings.clear();
    }

    /** Number of distinct indexed attributes (for tests: the index shrinks as objects go). */
    synchronized int postingCount() {
        return postings.size();
    }

    private static List<Attribute> equalities(AttributeSet query) {
        List<Attribute> equalities = new ArrayList<>();
        for (Attribute attribute : indexed(query)) {
            // Only WITH is matched by an equal attribute; IN, EXISTS and the negations are not.
            if (attribute.getType() == AttributeType.WITH) {
                equalities.add(attribute);
            }
        }
        return equalities;
    }

    private static List<Attribute> indexed(AttributeSet set) {
        List<Attribute> indexed = new ArrayList<>();
        for (Attribute attribute : MockInternals.attributes(set)) {
            String key = attribute.getKey().toString();
            if (INDEXED_KEYS.contains(key) || key.startsWith(LABEL_PREFIX)) {
                indexed.add(attribute);
            }
        }
        return indexed;
    }

    /** A hash of {@code set} that spreads: each attribute's hash mixed (MurmurHash3's finaliser), then summed. */
    static int hashOf(AttributeSet set) {
        int hash = 0;
        for (Attribute attribute : MockInternals.attributes(set)) {
            hash += Slot.mix(attribute.hashCode()); // a sum: equal sets may list their attributes in any order
        }
        return hash;
    }

    /** A key with the hash it is stored under ({@link #hashOf}). */
    private record Slot(AttributeSet set, int hash) {
        static Slot of(AttributeSet set) {
            return new Slot(set, hashOf(set));
        }

        private static int mix(int h) {
            h ^= h >>> 16;
            h *= 0x85ebca6b;
            h ^= h >>> 13;
            h *= 0xc2b2ae35;
            return h ^ (h >>> 16);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Slot slot && slot.hash == hash && slot.set.equals(set);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
