package dev.ferry.operator.notifications;

import dev.ferry.api.EventEncoding;
import java.util.Map;
import java.util.TreeSet;

/**
 * Where a job's events go: {@code spec.notifications.kafka} with the client properties (TLS, SASL) of the
 * Secret it names. {@link #toString()} leaves the properties' values out, so that no log line can show one.
 *
 * @param clientProperties every key of the Secret, as a Kafka client property
 * @param clientId the producer's {@code client.id}: the operator's, per job
 */
public record KafkaTarget(String bootstrapServers, String topic, EventEncoding mode,
                          Map<String, String> clientProperties, String clientId) {

    public KafkaTarget {
        clientProperties = Map.copyOf(clientProperties);
    }

    @Override
    public String toString() {
        return "KafkaTarget[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", mode=" + mode
                + ", clientProperties=" + new TreeSet<>(clientProperties.keySet()) + ", clientId=" + clientId + "]";
    }
}
