package dev.ferry.operator.leadership;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import dev.ferry.operator.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the operator does with the {@code ferry-operator} Lease besides JOSDK's election: hand it over
 * when stopped (only if it still holds it), end the process when it loses it while running, and tell
 * the liveness probe when the election has silently stopped.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorLeaseTest {
    private static final String NAMESPACE = "ferry-system";
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    KubernetesClient client;

    private final AtomicInteger losses = new AtomicInteger();

    @Test
    void aStoppedLeaderReleasesTheLeaseSoThatAStandbyNeedNotWaitOutItsDuration() {
        createLease("ferry-operator-a", 7);

        assertThat(lease("ferry-operator-a").release()).isTrue();

        Lease released = client.leases().inNamespace(NAMESPACE).withName("ferry-operator").get();
        assertThat(released.getSpec().getHolderIdentity()).as("no holder: any candidate may take it").isNull();
        assertThat(released.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        assertThat(released.getSpec().getRenewTime().toInstant()).isEqualTo(NOW);
        assertThat(released.getSpec().getLeaseTransitions()).as("transitions are the next holder's to count").isEqualTo(7);
    }

    @Test
    void aLeaseAnotherOperatorHoldsIsLeftAlone() {
        Lease held = createLease("ferry-operator-b", 3);

        assertThat(lease("ferry-operator-a").release()).isFalse();

        Lease after = client.leases().inNamespace(NAMESPACE).withName("ferry-operator").get();
        assertThat(after.getSpec()).isEqualTo(held.getSpec());
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(held.getMetadata().getResourceVersion());
    }

    @Test
    void withoutALeaseThereIsNothingToRelease() {
        assertThat(lease("ferry-operator-a").release()).isFalse();
        assertThat(client.leases().inNamespace(NAMESPACE).withName("ferry-operator").get()).isNull();
    }

    @Test
    void losingTheLeaseWhileRunningEndsTheProcessButStoppingDoesNot() {
        OperatorLease running = lease("ferry-operator-a");
        running.callbacks().onStopLeading();
        assertThat(losses).as("lost while running: another operator may lead now").hasValue(1);

        OperatorLease stopped = lease("ferry-operator-a");
        stopped.stopping();
        stopped.callbacks().onStopLeading();
        assertThat(losses).as("the end of the election on the way out is not a loss").hasValue(1);
    }

    @Test
    void aLeaseNobodyHasWrittenForTheStallTimeMeansTheElectionHasStopped() {
        createLease("ferry-operator-b", 3);
        MutableClock clock = new MutableClock(NOW);
        OperatorLease standby = lease("ferry-operator-a", clock);

        assertThat(standby.stall()).as("the first look only notes the Lease").isEmpty();
        clock.advance(OperatorLease.STALL_AFTER.minusSeconds(1));
        assertThat(standby.stall()).isEmpty();
        clock.advance(Duration.ofSeconds(2));

        assertThat(standby.stall()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("leader election stopped", "ferry-system/ferry-operator", "not been renewed or taken",
                        "ferry-operator-a"));
    }

    @Test
    void aLeaseWrittenBetweenTwoLooksIsNoStall() {
        Lease held = createLease("ferry-operator-b", 3);
        MutableClock clock = new MutableClock(NOW);
        OperatorLease standby = lease("ferry-operator-a", clock);
        assertThat(standby.stall()).isEmpty();

        for (int renewal = 0; renewal < 3; renewal++) {
            clock.advance(OperatorLease.STALL_AFTER.minusSeconds(10));
            held.getSpec().setRenewTime(held.getSpec().getRenewTime().plusSeconds(2));
            held = client.leases().inNamespace(NAMESPACE).resource(held).update();
            assertThat(standby.stall()).as("renewed since the last look").isEmpty();
        }
    }

    @Test
    void aLeaseNobodyCreatesIsAStallTooButNotOnceTheOperatorIsStopping() {
        MutableClock clock = new MutableClock(NOW);
        OperatorLease candidate = lease("ferry-operator-a", clock);
        assertThat(candidate.stall()).isEmpty();
        clock.advance(OperatorLease.STALL_AFTER.plusSeconds(1));
        assertThat(candidate.stall()).hasValueSatisfying(reason -> assertThat(reason).contains("not been created"));

        candidate.stopping();
        assertThat(candidate.stall()).as("a stopping operator ends its election on purpose").isEmpty();
    }

    private OperatorLease lease(String identity, Clock clock) {
        return new OperatorLease(client, NAMESPACE, "ferry-operator", identity, losses::incrementAndGet, clock);
    }

    private OperatorLease lease(String identity) {
        return new OperatorLease(client, NAMESPACE, "ferry-operator", identity, losses::incrementAndGet,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private Lease createLease(String holder, int transitions) {
        ZonedDateTime renewed = NOW.minusSeconds(2).atZone(ZoneOffset.UTC);
        return client.leases().inNamespace(NAMESPACE).resource(new LeaseBuilder()
                .withNewMetadata().withName("ferry-operator").withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15).withAcquireTime(renewed)
                .withRenewTime(renewed).withLeaseTransitions(transitions).endSpec()
                .build()).create();
    }
}
