package dev.ferry.local.apiserver;

import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The last objects deleted, each with the resourceVersion of its deletion, so that a watch resumed from a
 * resourceVersion hears about the deletions it missed. The CRUD mock keeps no history: a watch started
 * again (an informer's watch ends every few minutes and is resumed from the last version it saw) gets
 * every existing object replayed, so changes and creations reach it, but an object deleted in between is
 * simply absent, and the informer's cache would keep it for ever. A real API server replays the events
 * since the version asked for, or answers 410 Gone when it no longer has them; this does the same for
 * deletions, for the last {@code capacity} of them.
 */
final class DeletionHistory {
    /** One deletion: the object's key in the mock (to match watch queries) and its last state as JSON. */
    record Deletion(long version, AttributeSet key, String json) {
    }

    private final int capacity;
    private final Deque<Deletion> deletions = new ArrayDeque<>();
    /** The history holds every deletion after this version. */
    private long completeAfter;

    DeletionHistory(int capacity) {
        this.capacity = capacity;
    }

    synchronized void record(long version, AttributeSet key, String json) {
        if (deletions.size() == capacity) {
            completeAfter = deletions.removeFirst().version();
        }
        deletions.addLast(new Deletion(version, key, json));
    }

    /**
     * The deletions after {@code since} whose key matches {@code query}, oldest first; empty when the
     * history no longer reaches back to {@code since} (the watcher must list again: 410 Gone).
     */
    synchronized Optional<List<Deletion>> after(long since, AttributeSet query) {
        if (since < completeAfter) {
            return Optional.empty();
        }
        List<Deletion> missed = new ArrayList<>();
        for (Deletion deletion : deletions) {
            if (deletion.version() > since && deletion.key().matches(query)) {
                missed.add(deletion);
            }
        }
        return Optional.of(missed);
    }
}
