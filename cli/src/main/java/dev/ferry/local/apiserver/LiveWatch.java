package dev.ferry.local.apiserver;

import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One live watch: the events of the writes its query matches, queued in the order of the writes until
 * the thread that streams the watch takes them. Bounded: a watcher that stops reading (its client hung,
 * its connection half-closed) is cut off once {@link #capacity} events wait, as a real API server ends
 * a watch whose client falls behind; the client watches again from the last version it saw and misses
 * nothing (existing objects are replayed, deletions come from the {@link DeletionHistory}).
 */
final class LiveWatch {
    /** A watch event: ADDED, MODIFIED or DELETED, and the object's JSON as stored. */
    record Event(String type, String json) {
    }

    private final AttributeSet query;
    private final int capacity;
    private final Consumer<LiveWatch> onClose;
    private final ArrayDeque<Event> pending = new ArrayDeque<>();
    private boolean overflowed;
    private boolean closed;

    LiveWatch(AttributeSet query, int capacity, Consumer<LiveWatch> onClose) {
        this.query = query;
        this.capacity = capacity;
        this.onClose = onClose;
    }

    /** Whether an object stored under {@code key} is in this watch's scope (the mock's own match). */
    boolean covers(AttributeSet key) {
        return key != null && key.matches(query);
    }

    /** Queues an event; past capacity the watch is cut off instead (see the class comment). */
    synchronized void offer(Event event) {
        if (closed || overflowed) {
            return;
        }
        if (pending.size() >= capacity) {
            overflowed = true;
            pending.clear();
        } else {
            pending.addLast(event);
        }
        notifyAll();
    }

    /**
     * Every event queued so far, waiting up to {@code timeout} for one; empty when none came in time.
     * Null once the watch is over: closed, or cut off for falling behind.
     */
    synchronized List<Event> take(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (pending.isEmpty() && !overflowed && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (overflowed || closed) {
            return null;
        }
        List<Event> events = new ArrayList<>(pending);
        pending.clear();
        return events;
    }

    /** Whether the watch was cut off for falling behind. */
    synchronized boolean overflowed() {
        return overflowed;
    }

    /** Ends the watch: no more events are queued, and it leaves the set of live watches. */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            pending.clear();
            notifyAll();
        }
        onClose.accept(this);
    }
}
