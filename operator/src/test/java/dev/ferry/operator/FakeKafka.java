package dev.ferry.operator;

import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.EventType;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.operator.notifications.KafkaTarget;
import dev.ferry.operator.notifications.PublisherFactory;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Stands in for Kafka behind the operator's publishers: records every target opened and every event
 * published, and acknowledges an event at once when {@link #acknowledgesAtOnce} says so; the others wait
 * for {@link #acknowledgeWaiting} (or are lost when their publisher closes, as with the real one).
 */
final class FakeKafka implements PublisherFactory {
    final List<KafkaTarget> targets = new CopyOnWriteArrayList<>();
    final List<Publisher> publishers = new CopyOnWriteArrayList<>();
    volatile Predicate<FerryEvent> acknowledgesAtOnce;

    FakeKafka(Predicate<FerryEvent> acknowledgesAtOnce) {
        this.acknowledgesAtOnce = acknowledgesAtOnce;
    }

    static FakeKafka acknowledgingAll() {
        return new FakeKafka(event -> true);
    }

    static FakeKafka acknowledgingNothing() {
        return new FakeKafka(event -> false);
    }

    static FakeKafka acknowledgingAllBut(EventType type) {
        return new FakeKafka(event -> event.type() != type);
    }

    @Override
    public EventPublisher open(KafkaTarget target) {
        targets.add(target);
        Publisher publisher = new Publisher();
        publishers.add(publisher);
        return publisher;
    }

    /** Every event published, in order, over all publishers. */
    List<FerryEvent> published() {
        return publishers.stream().flatMap(p -> p.published.stream()).toList();
    }

    List<FerryEvent> published(EventType type) {
        return published().stream().filter(e -> e.type() == type).toList();
    }

    void acknowledgeWaiting() {
        publishers.forEach(Publisher::acknowledgeWaiting);
    }

    final class Publisher implements EventPublisher {
        final List<FerryEvent> published = new CopyOnWriteArrayList<>();
        private final List<CompletableFuture<Void>> waiting = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public CompletableFuture<Void> publish(FerryEvent event) {
            CompletableFuture<Void> acknowledged = new CompletableFuture<>();
            if (closed) {
                acknowledged.completeExceptionally(new CancellationException("closed"));
                return acknowledged;
            }
            published.add(event);
            if (acknowledgesAtOnce.test(event)) {
                acknowledged.complete(null);
            } else {
                waiting.add(acknowledged);
            }
            return acknowledged;
        }

        void acknowledgeWaiting() {
            List<CompletableFuture<Void>> acknowledged = List.copyOf(waiting);
            waiting.removeAll(acknowledged);
            acknowledged.forEach(a -> a.complete(null));
        }

        @Override
        public int pending() {
            return waiting.size();
        }

        @Override
        public void close() {
            closed = true;
            List<CompletableFuture<Void>> lost = List.copyOf(waiting);
            waiting.removeAll(lost);
            lost.forEach(a -> a.completeExceptionally(new CancellationException("closed")));
        }
    }
}
