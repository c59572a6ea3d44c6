package dev.ferry.e2e;

import dev.ferry.local.LocalKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (the local mode's {@link LocalKafka}: a KRaft process) shared by the tests of
 * one class, with its data and log in a directory of its own. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaBrokerPerClass KAFKA = new KafkaBrokerPerClass();
 * ...
 * args.addAll(KAFKA.migrateOptions("events"));   // --kafka 127.0.0.1:PORT --topic events
 * List<TopicRecord> events = TopicReader.readUntil(KAFKA.bootstrapServers(), "events", r -> r.size() >= 10, ...);
 * }</pre>
 *
 * {@link #kafka()} gives the broker itself, to {@link LocalKafka#kill() kill} and
 * {@link LocalKafka#restart() restart} it under a running migration.
 */
final class KafkaBrokerPerClass implements BeforeAllCallback, AfterAllCallback {
    private Path workDir;
    private LocalKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        workDir = Files.createTempDirectory("ferry-e2e-kafka");
        kafka = LocalKafka.start(workDir, 0);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
        }
        try (Stream<Path> paths = Files.walk(workDir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover temp directory is not a test failure
        }
    }

    LocalKafka kafka() {
        return kafka;
    }

    /** {@code 127.0.0.1:PORT}. */
    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** `--kafka 127.0.0.1:PORT --topic TOPIC` for `ferry migrate`. */
    List<String> migrateOptions(String topic) {
        return List.of("--kafka", kafka.bootstrapServers(), "--topic", topic);
    }
}
