package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Kafka helpers of the end-to-end tests, on a real broker: what they read is what was produced. */
class TopicReaderIT {
    @RegisterExtension
    static final KafkaBrokerPerClass KAFKA = new KafkaBrokerPerClass();

    @Test
    void readsKeysValuesAndHeadersFromTheBeginningUntilTheConditionHolds() throws Exception {
        send("events", "file-1", "{\"n\":1}");
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> send("events", "file-2", "{\"n\":2}"),
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS));

        List<TopicRecord> records = TopicReader.readUntil(KAFKA.bootstrapServers(), "events",
                read -> read.size() >= 2, Duration.ofSeconds(30));

        later.get();
        assertThat(records).extracting(TopicRecord::key).containsExactly("file-1", "file-2");
        assertThat(records.get(1).value()).isEqualTo("{\"n\":2}");
        assertThat(records.get(1).header("ce_type")).isEqualTo("dev.ferry.test");
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), "events", Duration.ofSeconds(30))).hasSize(2);
    }

    @Test
    void waitsForATopicThatDoesNotExistYetWithoutCreatingIt() throws Exception {
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), "not-yet", Duration.ofSeconds(10))).isEmpty();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).doesNotContain("not-yet");
        }
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> send("not-yet", "k", "v"),
                CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS));

        List<TopicRecord> records = TopicReader.readUntil(KAFKA.bootstrapServers(), "not-yet",
                read -> !read.isEmpty(), Duration.ofSeconds(30));

        later.get();
        assertThat(records).extracting(TopicRecord::value).containsExactly("v");
    }

    private static void send(String topic, String key, String value) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            record.headers().add("ce_type", "dev.ferry.test".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
