package dev.ferry.worker.testing;

import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.FerryEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A broker stand-in for unit-level tests: records every event it is given and acknowledges it only
 * when the test says so (or at once, when built acknowledging), so a test can hold acknowledgements
 * back as an unreachable broker would.
 */
public final class HeldEvents implements EventPublisher {
    private final List<FerryEvent> published = new ArrayList<>();
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    private boolean acknowledging;

    private HeldEvents(boolean acknowledging) {
        this.acknowledging = acknowledging;
    }

    /** Holds every acknowledgement until {@link #acknowledgeAll}. */
    public static HeldEvents holding() {
        return new HeldEvents(false);
    }

    /** Acknowledges every event as it comes. */
    public static HeldEvents acknowledging() {
        return new HeldEvents(true);
    }

    @Override
    public synchronized CompletableFuture<Void> publish(FerryEvent event) {
        published.add(event);
        CompletableFuture<Void> ack = new CompletableFuture<>();
        if (acknowledging) {
            ack.complete(null);
        } else {
            held.add(ack);
        }
        return ack;
    }

    /** Acknowledges what is held, and from now on everything at once. */
    public void acknowledgeAll() {
        List<CompletableFuture<Void>> now;
        synchronized (this) {
            acknowledging = true;
            now = List.copyOf(held);
            held.clear();
        }
        now.forEach(f -> f.complete(null));
    }

    public synchronized List<FerryEvent> published() {
        return List.copyOf(published);
    }

    @Override
    public synchronized int pending() {
        return held.size();
    }

    @Override
    public void close() {
    }
}
