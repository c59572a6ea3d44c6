package dev.ferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.runtime.JobEventRecorder;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A gateway leaving and rejoining the rotation shows on the job, once per transition, never in a flood. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class EndpointEventsTest {
    private static final URI GATEWAY = URI.create("http://gw-b:9000");
    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void recordsATransitionOncePerMinuteAndEndpointWhateverTheFlapping() {
        MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
        MigrationJob job = TestResources.create(client, TestResources.job("j", URI.create("http://gw-a:9000"), "b", ""));
        try (EndpointEvents events = new EndpointEvents(new JobEventRecorder(client, clock, "ferry-worker", "w-1"), job,
                "worker w-1", clock)) {
            events.down(GATEWAY, "connection refused");
            events.up(GATEWAY);
            events.down(GATEWAY, "connection refused"); // flapping within the minute: not again
            events.up(GATEWAY);
            clock.now = clock.now.plus(Duration.ofMinutes(1));
            events.down(GATEWAY, "HTTP 503");

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events())
                    .extracting(Event::getReason).containsExactlyInAnyOrder("EndpointDown", "EndpointUp", "EndpointDown"));
        }
        assertThat(events()).filteredOn(e -> e.getReason().equals("EndpointUp")).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Normal");
            assertThat(e.getMessage()).contains("http://gw-b:9000 answers again");
            assertThat(e.getSource().getComponent()).isEqualTo("ferry-worker");
            assertThat(e.getSource().getHost()).isEqualTo("w-1");
        });
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(TestResources.NAMESPACE).list().getItems();
    }

    /** A clock the test moves. */
    static final class MutableTestClock extends java.time.Clock {
        volatile Instant now;

        MutableTestClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
