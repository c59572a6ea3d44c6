package dev.ferry.operator.liveness;

import static dev.ferry.operator.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkerLivenessTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    private final WorkerLiveness liveness = new WorkerLiveness(Duration.ofSeconds(60), Duration.ofSeconds(15));

    @Test
    void aWorkerWhoseLeaseWasNotSeenRenewedForItsDurationIsDeadAlthoughItsPodIsReady() {
        Pod ready = pod("a", true, NOW);
        Optional<Lease> lease = Optional.of(lease("a", "a-uid", NOW, 15, "10"));

        assertThat(liveness.whyDead(ready, lease, NOW)).as("first seen now").isEmpty();
        assertThat(liveness.whyDead(ready, lease, NOW.plusSeconds(15))).isEmpty();
        assertThat(liveness.canTakeTasks(ready, lease, NOW.plusSeconds(15))).isTrue();
        assertThat(liveness.whyDead(ready, lease, NOW.plusSeconds(16)))
                .hasValueSatisfying(why -> assertThat(why).contains("Lease of worker a expired").contains("not renewed for 15s"));
        assertThat(liveness.canTakeTasks(ready, lease, NOW.plusSeconds(16))).isFalse();
    }

    @Test
    void aWorkerWhoseClockLagsAnHourLivesAsLongAsItRenews() {
        Pod ready = pod("a", true, NOW);
        Instant workersNow = NOW.minus(Duration.ofHours(1));

        assertThat(liveness.whyDead(ready, Optional.of(lease("a", "a-uid", workersNow, 15, "10")), NOW)).isEmpty();
        for (int renewal = 1; renewal <= 12; renewal++) { // every 5 s for a minute, by both clocks
            Lease renewed = lease("a", "a-uid", workersNow.plusSeconds(5L * renewal), 15, String.valueOf(10 + renewal));
            assertThat(liveness.whyDead(ready, Optional.of(renewed), NOW.plusSeconds(5L * renewal))).isEmpty();
        }
        Lease last = lease("a", "a-uid", workersNow.plusSeconds(60), 15, "22");
        assertThat(liveness.whyDead(ready, Optional.of(last), NOW.plusSeconds(75))).isEmpty();
        assertThat(liveness.whyDead(ready, Optional.of(last), NOW.plusSeconds(76))).as("15 s without a renewal").isPresent();
    }

    @Test
    void aWorkerWhoseClockRunsAnHourAheadIsDeadOnceItStopsRenewing() {
        Pod ready = pod("a", true, NOW);
        Optional<Lease> lease = Optional.of(lease("a", "a-uid", NOW.plus(Duration.ofHours(1)), 15, "10"));

        assertThat(liveness.whyDead(ready, lease, NOW)).isEmpty();
        assertThat(liveness.whyDead(ready, lease, NOW.plusSeconds(16)))
                .as("not an hour later, when the time it names has passed").isPresent();
    }

    @Test
    void anOlderCopyOfARenewedLeaseDoesNotCountAsARenewal() {
        Pod ready = pod("a", true, NOW);
        Lease first = lease("a", "a-uid", NOW, 15, "10");
        Lease renewed = lease("a", "a-uid", NOW.plusSeconds(5), 15, "11");

        liveness.whyDead(ready, Optional.of(first), NOW);
        liveness.whyDead(ready, Optional.of(renewed), NOW.plusSeconds(5));
        assertThat(liveness.leaseExpiry(first, NOW.plusSeconds(12))).as("a reconcile's stale copy")
                .contains(NOW.plusSeconds(20));
        assertThat(liveness.leaseExpiry(renewed, NOW.plusSeconds(13))).contains(NOW.plusSeconds(20));
    }

    @Test
    void aReadyWorkerHasTheStartUpGraceToCreateItsFirstLease() {
        Pod starting = pod("a", true, NOW);

        assertThat(liveness.whyDead(starting, Optional.empty(), NOW.plusSeconds(15))).isEmpty();
        assertThat(liveness.whyDead(starting, Optional.empty(), NOW.plusSeconds(16)))
                .hasValueSatisfying(why -> assertThat(why).contains("no Lease"));
    }

    @Test
    void aWorkerThatIsNotReadyIsJudgedByTheNotReadyGraceUntilItHasALease() {
        Pod notReady = pod("a", false, NOW);

        assertThat(liveness.whyDead(notReady, Optional.empty(), NOW.plusSeconds(60))).isEmpty();
        assertThat(liveness.canTakeTasks(notReady, Optional.empty(), NOW)).isFalse();
        assertThat(liveness.whyDead(notReady, Optional.empty(), NOW.plusSeconds(61)))
                .hasValueSatisfying(why -> assertThat(why).contains("not been Ready"));
    }

    @Test
    void aWorkerOnANodeMinutesBehindKeepsItsTasksThroughTheWholeNotReadyGrace() {
        WorkerLiveness timedBySight = timedBySight();
        Pod notReady = pod("a", false, NOW.minus(Duration.ofMinutes(2))); // the kubelet's clock is two minutes behind

        assertThat(timedBySight.whyDead(notReady, Optional.empty(), NOW)).as("first seen not Ready now").isEmpty();
        assertThat(timedBySight.whyDead(notReady, Optional.empty(), NOW.plusSeconds(60))).isEmpty();
        assertThat(timedBySight.whyDead(notReady, Optional.empty(), NOW.plusSeconds(61)))
                .hasValueSatisfying(why -> assertThat(why).contains("not been Ready for more than 60s"));
    }

    @Test
    void aStartingWorkerOnANodeMinutesAheadHasOnlyTheStartUpGraceToCreateItsLease() {
        WorkerLiveness timedBySight = timedBySight();
        Pod starting = pod("a", true, NOW.plus(Duration.ofMinutes(10)));

        assertThat(timedBySight.deadline(starting, Optional.empty(), NOW)).contains(NOW.plusSeconds(15));
        assertThat(timedBySight.whyDead(starting, Optional.empty(), NOW.plusSeconds(16)))
                .as("not ten minutes later").hasValueSatisfying(why -> assertThat(why).contains("no Lease"));
    }

    @Test
    void onlyALeaseHeldByThePodsUidIsThePodsLease() {
        Pod pod = pod("a", true, NOW);

        assertThat(WorkerLiveness.belongsTo(lease("a", "a-uid", NOW, 15, "1"), pod)).isTrue();
        assertThat(WorkerLiveness.belongsTo(lease("a", "uid-of-an-earlier-pod-a", NOW, 15, "1"), pod)).isFalse();
        assertThat(WorkerLiveness.belongsTo(lease("b", "a-uid", NOW, 15, "1"), pod)).isFalse();
    }

    @Test
    void theDeadlineIsTheEarliestMomentTheWorkerWouldCountAsDead() {
        assertThat(liveness.deadline(pod("a", true, NOW), Optional.of(lease("a", "a-uid", NOW, 15, "1")), NOW.plusSeconds(3)))
                .as("seen renewed at +3 s").contains(NOW.plusSeconds(18));
        assertThat(liveness.deadline(pod("b", true, NOW), Optional.empty(), NOW)).as("start-up grace").contains(NOW.plusSeconds(15));
        assertThat(liveness.deadline(pod("c", false, NOW), Optional.of(lease("c", "c-uid", NOW, 15, "1")), NOW.plusSeconds(50)))
                .as("the not-Ready grace ends first").contains(NOW.plusSeconds(60));
        assertThat(liveness.deadline(pod("d", false, NOW), Optional.of(lease("d", "d-uid", NOW, 15, "1")), NOW))
                .as("the Lease expires first").contains(NOW.plusSeconds(15));
    }

    /** Liveness as the operator judges it: Leases and readiness timed from when it saw them change. */
    private static WorkerLiveness timedBySight() {
        return new WorkerLiveness(Duration.ofSeconds(60), Duration.ofSeconds(15), new LeaseRenewals(), new ReadinessChanges());
    }

    private static Lease lease(String name, String holder, Instant renewTime, int seconds, String resourceVersion) {
        return new LeaseBuilder().withNewMetadata().withName(name).withResourceVersion(resourceVersion).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds)
                .withRenewTime(renewTime.atZone(ZoneOffset.UTC)).endSpec()
                .build();
    }
}
