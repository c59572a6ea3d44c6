package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local mode's Kafka broker, a real KRaft process: records in and out, through a crash, and gone when stopped. */
class LocalKafkaIT {
    private static final String TOPIC = "ferry-events";

    @TempDir
    Path workDir;

    @Test
    void deliversRecordsOfAnIdempotentAcksAllProducer() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(workDir, 0)) {
            System.out.printf("broker on %s answered %d ms after its launch%n", kafka.bootstrapServers(),
                    kafka.lastStartTime().toMillis());
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
            kafka.createTopic(TOPIC);
            kafka.createTopic(TOPIC);

            try (KafkaProducer<String, String> producer = producer(kafka)) {
                send(producer, 0, 100);
            }

            assertThat(readAll(kafka, 100)).extracting(ConsumerRecord::key)
                    .containsExactlyElementsOf(keys(0, 100));
            assertThat(Files.readString(kafka.logFile())).contains("Kafka Server started");
            assertThat(workDir.resolve("data/meta.properties")).exists();
        }
    }

    @Test
    void keepsItsRecordsThroughACrashAndComesBackOnTheSamePort() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(workDir, 0);
                KafkaProducer<String, String> producer = producer(kafka)) {
            int port = kafka.port();
            long firstPid = kafka.pid();
            send(producer, 0, 50);

            kafka.kill();

            assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(acceptsConnections(port)).isFalse();

            kafka.restart();
            System.out.printf("broker restarted after a crash, answered %d ms after its launch%n",
                    kafka.lastStartTime().toMillis());

            assertThat(kafka.port()).isEqualTo(port);
            assertThat(kafka.pid()).isNotEqualTo(firstPid);
            send(producer, 50, 100);
            assertThat(readAll(kafka, 100)).extracting(ConsumerRecord::key)
                    .containsExactlyElementsOf(keys(0, 100));
        }
    }

    @Test
    void stopLeavesNoProcessBehind() throws Exception {
        LocalKafka kafka = LocalKafka.start(workDir, 0);
        long pid = kafka.pid();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

        kafka.stop();

        assertThat(kafka.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(acceptsConnections(kafka.port())).isFalse();
        assertThat(ProcessHandle.current().children()
                .filter(child -> child.info().commandLine().orElse("").contains(LocalKafka.MAIN_CLASS)))
                .isEmpty();
        assertThat(Files.readString(kafka.logFile())).contains("shut down completed");
        kafka.close();
    }

    @Test
    void explainsAFailedStartWithTheBrokersLog() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> LocalKafka.start(workDir, taken.getLocalPort()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort() + " did not start")
                    .hasMessageContaining("exited with code")
                    .hasMessageContaining("last lines of " + workDir.resolve("kafka.log"));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ProcessHandle.current().children()
                .filter(child -> child.info().commandLine().orElse("").contains(LocalKafka.MAIN_CLASS))).isEmpty());
    }

    private static KafkaProducer<String, String> producer(LocalKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000),
                new StringSerializer(), new StringSerializer());
    }

    private static void send(KafkaProducer<String, String> producer, int from, int to) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            sent.add(producer.send(new ProducerRecord<>(TOPIC, "key-" + i, "value-" + i)));
        }
        for (Future<RecordMetadata> future : sent) {
            future.get();
        }
    }

    /** Every record of the topic's single partition from the beginning, once {@code expected} are there. */
    private static List<ConsumerRecord<String, String>> readAll(LocalKafka kafka, int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Instant deadline = Instant.now().plusSeconds(30);
            while (records.size() < expected && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    private static List<String> keys(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "key-" + i).toList();
    }

    private static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
