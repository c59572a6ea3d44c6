package dev.ferry.local;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server.properties of the local mode's broker: one KRaft node that is broker and controller, on
 * loopback, with every replication factor 1 and topics created on first use. The controller quorum is
 * static ({@code controller.quorum.voters}), so a data directory formatted in one run still starts
 * when a later run picks other ports.
 */
record KafkaBrokerConfig(int brokerPort, int controllerPort, Path dataDir) {
    static final int NODE_ID = 1;
    static final String HOST = "127.0.0.1";

    Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // One partition for the internal topics instead of 50: creating them is most of a first
        // consumer's wait on a fresh broker, and one machine gains nothing from spreading them.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        // A consumer group starts reading at once instead of waiting 3 s for more members.
        p.put("group.initial.rebalance.delay.ms", "0");
        // After a crash the controller keeps the broker fenced until the dead incarnation's session
        // times out (9 s by default): a short session brings a restarted broker back sooner.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "3000");
        // A development broker on a small machine: few threads.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("background.threads", "2");
        return p;
    }

    /** Writes the properties to {@code file}, replacing it. */
    Path writeTo(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Writer writer = Files.newBufferedWriter(file)) {
            writer.write("# Written by Ferry's local mode (LocalKafka) at every start; edits are overwritten.\n");
            for (Map.Entry<String, String> entry : properties().entrySet()) {
                writer.write(entry.getKey() + "=" + entry.getValue() + "\n");
            }
        }
        return file;
    }
}
