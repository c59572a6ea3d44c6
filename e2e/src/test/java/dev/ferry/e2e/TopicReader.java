package dev.ferry.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every record of a topic from the beginning, as a downstream consumer of Ferry's events would,
 * without a consumer group (nothing committed, so every read starts from offset 0 again). A topic that
 * does not exist yet is waited for, never created: it appears with the producer's first record.
 */
final class TopicReader {
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicReader() {
    }

    /**
     * Reads until the records read so far satisfy {@code done} or {@code timeout} passes, and returns
     * them in the order read (per partition: offset order). On timeout it returns what it has, so that
     * the test's assertion, not this reader, says what is missing.
     */
    static List<TopicRecord> readUntil(String bootstrapServers, String topic, Predicate<List<TopicRecord>> done,
            Duration timeout) {
        List<TopicRecord> records = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = consumer(bootstrapServers)) {
            Set<TopicPartition> assigned = new HashSet<>();
            while (!done.test(Collections.unmodifiableList(records)) && Instant.now().isBefore(deadline)) {
                assignNewPartitions(consumer, topic, assigned);
                if (assigned.isEmpty()) {
                    sleep(POLL);
                    continue;
                }
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    records.add(toTopicRecord(record));
                }
            }
        }
        return records;
    }

    /**
     * Every record the topic holds now: reads until each partition's end offset of the moment the
     * partitions were found (an empty list when the topic does not exist).
     */
    static List<TopicRecord> readAll(String bootstrapServers, String topic, Duration timeout) {
        List<TopicRecord> records = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = consumer(bootstrapServers)) {
            Set<TopicPartition> assigned = new HashSet<>();
            assignNewPartitions(consumer, topic, assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, timeout);
            while (!reached(consumer, ends) && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
                    records.add(toTopicRecord(record));
                }
            }
        }
        return records;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "ferry-e2e-topic-reader",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer());
    }

    /** Adds the topic's partitions not yet assigned (a topic can be created, or grow, while we read). */
    private static void assignNewPartitions(KafkaConsumer<String, String> consumer, String topic,
            Set<TopicPartition> assigned) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(2));
        List<TopicPartition> added = new ArrayList<>();
        for (PartitionInfo info : partitions == null ? List.<PartitionInfo>of() : partitions) {
            TopicPartition partition = new TopicPartition(info.topic(), info.partition());
            if (assigned.add(partition)) {
                added.add(partition);
            }
        }
        if (!added.isEmpty()) {
            consumer.assign(List.copyOf(assigned));
            consumer.seekToBeginning(added);
        }
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    private static TopicRecord toTopicRecord(ConsumerRecord<String, String> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null
                    : new String(header.value(), StandardCharsets.UTF_8));
        }
        return new TopicRecord(record.key(), record.value(), Collections.unmodifiableMap(headers),
                record.partition(), record.offset());
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the topic", e);
        }
    }
}
