package dev.ferry.api.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Delivery: an event's future completes only on the broker's acknowledgement; a failure is sent again. */
class KafkaEventPublisherTest {
    private final MockProducer<String, CloudEvent> producer = new MockProducer<>(false, null, new StringSerializer(),
            (topic, event) -> new byte[0]);

    @Test
    void anEventIsDoneOnlyWhenTheBrokerAcknowledgesIt() {
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(producer, "events")) {
            CompletableFuture<Void> sent = publisher.publish(event("a.txt"));
            await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);
            assertThat(sent).isNotDone();
            assertThat(publisher.pending()).isEqualTo(1);

            producer.completeNext();

            await().atMost(Duration.ofSeconds(5)).until(sent::isDone);
            assertThat(sent).isCompleted();
            assertThat(publisher.pending()).isZero();
            assertThat(producer.history().get(0).key()).isEqualTo("uid-1/a.txt");
            assertThat(producer.history().get(0).value().getId()).isEqualTo(event("a.txt").id());
        }
    }

    @Test
    void anEventTheBrokerDidNotAcknowledgeIsSentAgainWithTheSameId() {
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(producer, "events")) {
            CompletableFuture<Void> sent = publisher.publish(event("b.txt"));
            await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 1);

            producer.errorNext(new TimeoutException("broker away"));

            await().atMost(Duration.ofSeconds(5)).until(() -> producer.history().size() == 2);
            assertThat(sent).isNotDone();
            producer.completeNext();
            await().atMost(Duration.ofSeconds(5)).until(sent::isDone);
            assertThat(sent).isCompleted();
            assertThat(producer.history()).extracting(r -> r.value().getId()).containsOnly(event("b.txt").id());
        }
    }

    @Test
    void closingLeavesUnacknowledgedEventsUndoneSoNoCallerAdvancesPastThem() {
        KafkaEventPublisher publisher = new KafkaEventPublisher(producer, "events");
        CompletableFuture<Void> sent = publisher.publish(event("c.txt"));

        publisher.close();

        await().atMost(Duration.ofSeconds(5)).until(sent::isDone);
        assertThat(sent).isCompletedExceptionally();
        assertThat(publisher.publish(event("d.txt"))).isCompletedExceptionally();
    }

    private static FerryEvent event(String path) {
        FileEventData data = new FileEventData("uid-1", "ns", "job", "job-plan-00001", 1, path, "bucket", path, 5,
                "1970-01-01T00:00:00Z", null, null, null, null, null, null);
        return FerryEvent.file(EventType.FILE_COPIED, data, 0, FerryEvent.now());
    }
}
