package dev.ferry.local;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * Main class of the local mode's Kafka broker process: formats the data directory on its first
 * start (what {@code kafka-storage.sh format} does), then runs {@code kafka.Kafka}. Both in one JVM,
 * because a second JVM start only to format would add seconds to every fresh broker.
 *
 * <p>The process ends when the process that started it ends, however that ended ({@code kill -9} of
 * {@code ferry} included): a broker left behind would hold its ports and its data directory's lock.
 *
 * <p>Arguments: {@code SERVER_PROPERTIES CLUSTER_ID} (the id is used only when formatting).
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: KafkaBrokerMain SERVER_PROPERTIES CLUSTER_ID");
            System.exit(2);
        }
        Path config = Path.of(args[0]);
        ParentProcess.exitWhenGone("Kafka broker", Duration.ofSeconds(30)); // a clean shutdown: no log recovery next start
        if (!isFormatted(config)) {
            int code = kafka.tools.StorageTool.execute(
                    new String[] {"format", "--cluster-id", args[1], "--config", config.toString()}, System.out);
            if (code != 0) {
                System.err.println("formatting the data directory failed with code " + code);
                System.exit(code);
            }
        }
        kafka.Kafka.main(new String[] {config.toString()});
    }

    /** A formatted log directory holds meta.properties. */
    private static boolean isFormatted(Path config) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = new FileInputStream(config.toFile())) {
            properties.load(in);
        }
        return Files.exists(Path.of(properties.getProperty("log.dirs")).resolve("meta.properties"));
    }
}
