package dev.ferry.operator.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.EventEncoding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secret values never leave the operator through a message or a log line. */
class JobPublishersTest {

    @Test
    void scrubsEverySecretValueFromAMessageTheLongestFirst() {
        String message = "Invalid value password=\"hunter22\" for configuration sasl.jaas.config; also hunter22";

        assertThat(JobPublishers.scrub(message, List.of("hunter22", "password=\"hunter22\"", "ab")))
                .isEqualTo("Invalid value *** for configuration sasl.jaas.config; also ***");
    }

    @Test
    void namesATargetsPropertiesButNotTheirValues() {
        KafkaTarget target = new KafkaTarget("kafka:9092", "events", EventEncoding.Binary,
                Map.of("sasl.jaas.config", "password=\"hunter22\"", "security.protocol", "SASL_SSL"), "ferry-operator-ns-job");

        assertThat(target.toString()).contains("kafka:9092", "events", "Binary", "[sasl.jaas.config, security.protocol]")
                .doesNotContain("hunter22").doesNotContain("SASL_SSL");
    }
}
