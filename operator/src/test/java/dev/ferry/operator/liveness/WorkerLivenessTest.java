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
    void aWorkerWhoseLeaseExpiredIsDeadAlthoughItsPodIsReady() {
        Pod ready = pod("a", true, NOW);
        Optional<Lease> lease = Optional.of(lease("a", "a-uid", NOW.plusSeconds(5), 15));

        assertThat(liveness.whyDead(ready, lease, NOW.plusSeconds(20))).isEmpty();
        assertThat(liveness.canTakeTasks(ready, lease, NOW.plusSeconds(20))).isTrue();
        assertThat(liveness.whyDead(ready, lease, NOW.plusSeconds(21)))
                .hasValueSatisfying(why -> assertThat(why).contains("Lease of worker a expired"));
        assertThat(liveness.canTakeTasks(ready, lease, NOW.plusSeconds(21))).isFalse();
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
    void onlyALeaseHeldByThePodsUidIsThePodsLease() {
        Pod pod = pod("a", true, NOW);

        assertThat(WorkerLiveness.belongsTo(lease("a", "a-uid", NOW, 15), pod)).isTrue();
        assertThat(WorkerLiveness.belongsTo(lease("a", "uid-of-an-earlier-pod-a", NOW, 15), pod)).isFalse();
        assertThat(WorkerLiveness.belongsTo(lease("b", "a-uid", NOW, 15), pod)).isFalse();
    }

    @Test
    void theDeadlineIsTheEarliestMomentTheWorkerWouldCountAsDead() {
        assertThat(liveness.deadline(pod("a", true, NOW), Optional.of(lease("a", "a-uid", NOW.plusSeconds(3), 15))))
                .contains(NOW.plusSeconds(18));
        assertThat(liveness.deadline(pod("a", true, NOW), Optional.empty())).as("start-up grace").contains(NOW.plusSeconds(15));
        assertThat(liveness.deadline(pod("a", false, NOW), Optional.of(lease("a", "a-uid", NOW.plusSeconds(50), 15))))
                .as("the not-Ready grace ends first").contains(NOW.plusSeconds(60));
        assertThat(liveness.deadline(pod("a", false, NOW), Optional.of(lease("a", "a-uid", NOW, 15))))
                .as("the Lease expires first").contains(NOW.plusSeconds(15));
    }

    private static Lease lease(String name, String holder, Instant renewTime, int seconds) {
        return new LeaseBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds)
                .withRenewTime(renewTime.atZone(ZoneOffset.UTC)).endSpec()
                .build();
    }
}
