package dev.ferry.local.apiserver;

import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The live watches of the local API, and each stored change offered to those it concerns, with the
 * mock's own rule: MODIFIED when the object was and still is in a watch's scope, DELETED when it left it,
 * ADDED when it entered it.
 *
 * <p>In process, as JSON strings: the mock's own watches (WebSockets, which the front then re-served as
 * plain HTTP) turned each event into objects and back to JSON five times per watcher, two of them under
 * the store's lock. Here a change costs a match per watch and a reference in its queue; the watch's own
 * thread writes it out.
 */
final class LiveWatches {
    /** Events a watch may have waiting before it is cut off; a resumed watch catches up from the store. */
    static final int CAPACITY = 10_000;

    private final Set<LiveWatch> watches = new CopyOnWriteArraySet<>();

    /** A new watch of the objects {@code query} matches; the caller closes it. */
    LiveWatch open(AttributeSet query) {
        LiveWatch watch = new LiveWatch(query, CAPACITY, watches::remove);
        watches.add(watch);
        return watch;
    }

    /**
     * A change in the store, called in the order of the writes: {@code before} stored under {@code oldKey}
     * (both null for a creation), then {@code after} under {@code newKey} (both null for a deletion).
     */
    void changed(AttributeSet oldKey, String before, AttributeSet newKey, String after) {
        for (LiveWatch watch : watches) {
            boolean was = before != null && watch.covers(oldKey);
            boolean is = after != null && watch.covers(newKey);
            if (was && is) {
                watch.offer(new LiveWatch.Event("MODIFIED", after));
            } else if (was) {
                watch.offer(new LiveWatch.Event("DELETED", before));
            } else if (is) {
                watch.offer(new LiveWatch.Event("ADDED", after));
            }
        }
    }

    int size() {
        return watches.size();
    }
}
