package dev.ferry.operator.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.EventEncoding;
import dev.ferry.api.KafkaSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.NotificationsSpec;
import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.operator.MutableClock;
import dev.ferry.operator.TestObjects;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Secret values never leave the operator through a message or a log line; a job's publisher follows the values
 * of its Kafka Secret (read again at most every {@link JobPublishers#SECRET_RECHECK} when an event is sent).
 */
@EnableKubernetesMockClient(crud = true)
class JobPublishersTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @Test
    void opensTheJobsPublisherAgainWhenTheValuesOfItsKafkaSecretChangedAndOnlyThen() throws Exception {
        kafkaSecret(Map.of("sasl.jaas.config", "password=\"one\""));
        MigrationJob job = TestObjects.job("j");
        job.getSpec().notifications = new NotificationsSpec();
        job.getSpec().notifications.kafka = new KafkaSpec();
        job.getSpec().notifications.kafka.bootstrapServers = "kafka:9092";
        job.getSpec().notifications.kafka.topic = "events";
        job.getSpec().notifications.kafka.secret = "kafka";
        List<KafkaTarget> opened = new ArrayList<>();
        List<Integer> closed = new ArrayList<>();
        PublisherFactory factory = target -> {
            opened.add(target);
            int number = opened.size();
            return new EventPublisher() {
                @Override
                public CompletableFuture<Void> publish(FerryEvent event) {
                    return new CompletableFuture<>();
                }

                @Override
                public int pending() {
                    return 0;
                }

                @Override
                public void close() {
                    closed.add(number);
                }
            };
        };
        MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
        JobPublishers publishers = new JobPublishers(client, factory, clock);

        EventPublisher first = publishers.of(job);
        kafkaSecret(Map.of("sasl.jaas.config", "password=\"two\""));
        assertThat(publishers.of(job)).as("within the recheck").isSameAs(first);

        clock.advance(JobPublishers.SECRET_RECHECK);
        EventPublisher second = publishers.of(job);
        assertThat(second).as("a rotated password").isNotSameAs(first);
        assertThat(closed).containsExactly(1);
        assertThat(opened).hasSize(2);
        assertThat(opened.get(1).clientProperties()).containsEntry("sasl.jaas.config", "password=\"two\"");

        clock.advance(JobPublishers.SECRET_RECHECK);
        assertThat(publishers.of(job)).as("the same values read again").isSameAs(second);

        client.secrets().inNamespace("ns").withName("kafka").delete();
        clock.advance(JobPublishers.SECRET_RECHECK);
        assertThat(publishers.of(job)).as("a deleted Secret leaves the open publisher").isSameAs(second);
        assertThat(opened).hasSize(2);
    }

    private static void kafkaSecret(Map<String, String> data) {
        client.secrets().inNamespace("ns").resource(new SecretBuilder().withNewMetadata().withName("kafka")
                .withNamespace("ns").endMetadata().withStringData(data).build()).createOr(s -> s.update());
    }

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
