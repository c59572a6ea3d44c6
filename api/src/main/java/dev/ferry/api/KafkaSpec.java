package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Kafka topic that receives one CloudEvent per file outcome (at least once, same id on repeat). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KafkaSpec {

    @Required
    @Pattern("^[^,\\s]+(,[^,\\s]+)*$")
    @JsonPropertyDescription("Comma-separated host:port list of brokers.")
    public String bootstrapServers;

    @Required
    @Pattern("^[a-zA-Z0-9._-]{1,249}$")
    @JsonPropertyDescription("Topic name.")
    public String topic;

    @JsonPropertyDescription("Secret with client properties for TLS/SASL (keys are Kafka client property names,"
            + " e.g. security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.certificates).")
    public String secret;

    @Default("Structured")
    @JsonPropertyDescription("Structured (default): the whole CloudEvent as JSON in the record value;"
            + " Binary: the data in the value and the event's attributes as ce_* headers.")
    public EventEncoding mode;

    public EventEncoding modeOrDefault() {
        return mode != null ? mode : EventEncoding.Structured;
    }
}
