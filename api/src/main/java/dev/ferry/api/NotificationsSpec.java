package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where per-file outcome events go. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NotificationsSpec {

    @JsonPropertyDescription("Kafka topic for CloudEvents of every file's outcome.")
    public KafkaSpec kafka;
}
