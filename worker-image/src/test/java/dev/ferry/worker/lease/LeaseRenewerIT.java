package dev.ferry.worker.lease;

import static dev.ferry.worker.testing.TestResources.NAMESPACE;
import static dev.ferry.worker.testing.TestResources.POD_NAME;
import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.config.WorkerConfig;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The worker's Lease against the Fabric8 mock API server in CRUD mode, renewed every 100 ms. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class LeaseRenewerIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    private final WorkerConfig config = new WorkerConfig(POD_NAME, NAMESPACE, POD_UID, "books", Path.of("/mnt/source"),
            1, Duration.ofSeconds(15), Duration.ofMillis(100));
    private LeaseRenewer renewer;

    @BeforeEach
    void cleanSlate() {
        client.leases().inNamespace(NAMESPACE).withName(POD_NAME).delete();
        renewer = new LeaseRenewer(client, config, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        renewer.close();
    }

    @Test
    void createsRenewsAndOnCloseDeletesThePodsLease() {
        renewer.start();

        await().untilAsserted(() -> assertThat(lease()).isNotNull());
        Lease first = lease();
        assertThat(first.getSpec().getHolderIdentity()).isEqualTo(POD_UID);
        assertThat(first.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
        assertThat(first.getMetadata().getLabels())
                .containsEntry(Ferry.JOB_LABEL, "books")
                .containsEntry(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER);
        assertThat(first.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Pod");
            assertThat(owner.getName()).isEqualTo(POD_NAME);
            assertThat(owner.getUid()).isEqualTo(POD_UID);
        });
        ZonedDateTime firstRenewal = first.getSpec().getRenewTime();

        await().untilAsserted(() -> assertThat(lease().getSpec().getRenewTime()).isAfter(firstRenewal));

        renewer.close();
        assertThat(lease()).as("deleted on a clean shutdown").isNull();
    }

    @Test
    void keepsRenewingWhenItsLeaseWasDeletedUnderIt() {
        renewer.start();
        await().untilAsserted(() -> assertThat(lease()).isNotNull());

        client.leases().inNamespace(NAMESPACE).withName(POD_NAME).delete();

        await().untilAsserted(() -> {
            Lease again = lease();
            assertThat(again).isNotNull();
            assertThat(again.getSpec().getHolderIdentity()).isEqualTo(POD_UID);
        });
    }

    @Test
    void takesOverALeaseLeftByAnEarlierPodOfTheSameName() {
        ZonedDateTime longAgo = Instant.parse("2026-01-01T00:00:00Z").atZone(ZoneOffset.UTC);
        client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder()
                .withNewMetadata().withName(POD_NAME).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withHolderIdentity("uid-of-an-earlier-pod").withLeaseDurationSeconds(15)
                    .withRenewTime(longAgo).withAcquireTime(longAgo).withLeaseTransitions(0).endSpec()
                .build()).create();

        renewer.start();

        await().untilAsserted(() -> {
            Lease taken = lease();
            assertThat(taken.getSpec().getHolderIdentity()).isEqualTo(POD_UID);
            assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(1);
            assertThat(taken.getSpec().getRenewTime()).isAfter(longAgo);
        });
        renewer.close();
        assertThat(lease()).isNull();
    }

    @Test
    void newWorkPausesTwelveSecondsAfterTheLastRenewalThatWentThroughAndResumesWithTheNext() {
        AtomicLong nanos = new AtomicLong();
        try (LeaseRenewer fake = new LeaseRenewer(client, config, Clock.systemUTC(), nanos::get)) {
            assertThat(fake.lapse()).as("a worker just started").isEmpty();
            nanos.addAndGet(Duration.ofMillis(11_900).toNanos());
            assertThat(fake.lapse()).isEmpty();
            nanos.addAndGet(Duration.ofMillis(200).toNanos()); // four fifths of the 15-s Lease
            assertThat(fake.lapse()).hasValueSatisfying(why -> assertThat(why)
                    .contains("Lease " + NAMESPACE + "/" + POD_NAME + " has not been renewed for 12 s"));

            fake.start(); // its first renewal goes through
            await().untilAsserted(() -> assertThat(fake.lapse()).isEmpty());
        }
    }

    @Test
    void renewalsThatFailLapseTheStandingOfTheWorker() {
        WorkerConfig quick = new WorkerConfig(POD_NAME, NAMESPACE, POD_UID, "books", Path.of("/mnt/source"),
                1, Duration.ofSeconds(2), Duration.ofMillis(100));
        // an API server that does not answer: nothing listens on the port any more
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (KubernetesClient cutOff = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + closedPort).withRequestRetryBackoffLimit(0).build()).build();
             LeaseRenewer renewing = new LeaseRenewer(cutOff, quick, Clock.systemUTC())) {
            renewing.start();
            assertThat(renewing.lapse()).isEmpty();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(renewing.lapse()).isPresent());
        }
    }

    private Lease lease() {
        return client.leases().inNamespace(NAMESPACE).withName(POD_NAME).get();
    }
}
