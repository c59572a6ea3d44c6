package dev.ferry.api.runtime;

import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.FerryEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The events of {@code spec.notifications} as the process waits for them: {@code ferry_kafka_send_seconds},
 * from an event's hand-over to the broker's acknowledgement (resends while the broker is away included,
 * so it is the delay the events add to a task's progress or a job's final phase), and
 * {@code ferry_kafka_backlog}, the events handed over and not acknowledged yet. Summed over the jobs of the
 * process; both stay at zero while no job has notifications.
 */
public final class KafkaMetrics {
    /** Counts nothing. */
    public static final KafkaMetrics NONE = new KafkaMetrics(new CompositeMeterRegistry());

    private final Timer sends;
    private final AtomicInteger backlog = new AtomicInteger();

    public KafkaMetrics(MeterRegistry registry) {
        this.sends = Timer.builder("ferry.kafka.send")
                .description("From an event's hand-over to its acknowledgement by the broker, resends included")
                .register(registry);
        Gauge.builder("ferry.kafka.backlog", backlog, AtomicInteger::get)
                .description("Events handed over to the producer and not acknowledged yet")
                .register(registry);
    }

    /** {@code publisher}, timed; {@link EventPublisher#NONE} as it is (it sends nothing). */
    public EventPublisher timed(EventPublisher publisher) {
        return publisher == EventPublisher.NONE ? publisher : new TimedPublisher(publisher);
    }

    private final class TimedPublisher implements EventPublisher {
        private final EventPublisher publisher;

        TimedPublisher(EventPublisher publisher) {
            this.publisher = publisher;
        }

        @Override
        public CompletableFuture<Void> publish(FerryEvent event) {
            long started = System.nanoTime();
            backlog.incrementAndGet();
            CompletableFuture<Void> acknowledged = publisher.publish(event);
            acknowledged.whenComplete((ok, error) -> {
                backlog.decrementAndGet();
                if (error == null) {
                    sends.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                }
            });
            return acknowledged;
        }

        @Override
        public int pending() {
            return publisher.pending();
        }

        @Override
        public void close() {
            publisher.close();
        }
    }
}
