package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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

    @JsonPropertyDescription("Secret with client properties for TLS/SASL (keys are Kafka client property names).")
    public String secret;
}
