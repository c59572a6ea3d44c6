package dev.ferry.worker.events;

import dev.ferry.api.Ferry;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Kafka client properties of {@code spec.notifications.kafka.secret} (TLS, SASL) as the worker
 * Deployment passes them: every key of the Secret as an environment variable {@code FERRY_KAFKA_<key>}
 * ({@code envFrom} with a prefix), so the worker needs no access to Secrets. Values are never logged.
 */
public final class KafkaClientProperties {
    public static final String ENV_PREFIX = Ferry.KAFKA_ENV_PREFIX;

    private KafkaClientProperties() {
    }

    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> properties = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                properties.put(name.substring(ENV_PREFIX.length()), value);
            }
        });
        return properties;
    }
}
