package dev.ferry.api.events;

import java.util.concurrent.CompletableFuture;

/**
 * Sends events and says when each one is safely stored (acknowledged by every in-sync replica). The
 * future of an event completes only then: callers advance durable progress (a task's checkpoint, a
 * job's phase) in its callback, never before. It completes exceptionally only when the publisher is
 * closed first; a broker that is away is waited for, not reported as a failure.
 */
public interface EventPublisher extends AutoCloseable {

    /** For jobs without {@code spec.notifications}: nothing is sent and nothing waits. */
    EventPublisher NONE = new EventPublisher() {
        @Override
        public CompletableFuture<Void> publish(FerryEvent event) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public int pending() {
            return 0;
        }

        @Override
        public void close() {
        }
    };

    CompletableFuture<Void> publish(FerryEvent event);

    /** Events handed over and not yet acknowledged. */
    int pending();

    @Override
    void close();
}
