package dev.ferry.operator.notifications;

import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.KafkaEventPublisher;

/** Opens the publisher of one job's events; tests put a fake in place of Kafka. */
@FunctionalInterface
public interface PublisherFactory {
    /** An idempotent Kafka producer ({@code acks=all}) to the job's topic. */
    PublisherFactory KAFKA = target -> KafkaEventPublisher.create(target.bootstrapServers(), target.topic(),
            target.mode(), target.clientProperties(), target.clientId());

    EventPublisher open(KafkaTarget target);
}
