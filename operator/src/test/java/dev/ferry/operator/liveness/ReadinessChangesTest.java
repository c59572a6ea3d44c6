package dev.ferry.operator.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A worker pod's readiness timed on the operator's clock, whatever time its kubelet wrote. */
class ReadinessChangesTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    private final ReadinessChanges changes = new ReadinessChanges();

    @Test
    void aReadinessIsTimedFromWhenItWasSeenNotFromTheTimeItNames() {
        Instant kubeletsNow = NOW.minus(Duration.ofMinutes(2)); // the node's clock is two minutes behind
        Pod notReady = pod("a-uid", "False", kubeletsNow, "5");

        assertThat(changes.readinessSince(notReady, NOW)).contains(NOW);
        assertThat(changes.readinessSince(notReady, NOW.plusSeconds(40))).as("looked at again, unchanged").contains(NOW);
        Pod relabelled = pod("a-uid", "False", kubeletsNow, "6");
        assertThat(changes.readinessSince(relabelled, NOW.plusSeconds(50))).as("another change of the pod").contains(NOW);
    }

    @Test
    void aNewTransitionRestartsTheClock() {
        changes.readinessSince(pod("a-uid", "False", NOW, "5"), NOW);
        Pod ready = pod("a-uid", "True", NOW.plusSeconds(30), "6");
        assertThat(changes.readinessSince(ready, NOW.plusSeconds(31))).contains(NOW.plusSeconds(31));
        Pod notReadyAgain = pod("a-uid", "False", NOW.plusSeconds(40), "7");
        assertThat(changes.readinessSince(notReadyAgain, NOW.plusSeconds(42))).contains(NOW.plusSeconds(42));
    }

    @Test
    void anOlderCopyOfThePodDoesNotRestartTheClock() {
        Pod ready = pod("a-uid", "True", NOW, "5");
        Pod notReady = pod("a-uid", "False", NOW.plusSeconds(10), "6");
        changes.readinessSince(ready, NOW);
        changes.readinessSince(notReady, NOW.plusSeconds(10));

        assertThat(changes.readinessSince(ready, NOW.plusSeconds(20))).as("a reconcile's stale copy").contains(NOW.plusSeconds(10));
        assertThat(changes.readinessSince(notReady, NOW.plusSeconds(30))).contains(NOW.plusSeconds(10));
        assertThat(changes.hasSeen(ready)).as("a later version was seen").isTrue();
        assertThat(changes.hasSeen(pod("a-uid", "True", NOW.plusSeconds(50), "8"))).isFalse();
    }

    @Test
    void aPodWithoutAReadyConditionIsTimedFromItsFirstLook() {
        Pod created = new PodBuilder().withNewMetadata().withName("a").withUid("a-uid").withResourceVersion("3")
                .withCreationTimestamp(NOW.minus(Duration.ofHours(1)).toString()).endMetadata().build();

        assertThat(changes.readinessSince(created, NOW)).contains(NOW);
        assertThat(changes.readinessSince(pod("a-uid", "False", NOW.minus(Duration.ofHours(1)), "4"), NOW.plusSeconds(5)))
                .as("its first condition is a change").contains(NOW.plusSeconds(5));
    }

    @Test
    void aDeletedPodIsForgottenSoTheMapHoldsOnlyLivePods() {
        Pod a = pod("a-uid", "True", NOW, "5");
        changes.readinessSince(a, NOW);
        changes.readinessSince(pod("b-uid", "True", NOW, "6"), NOW);

        changes.forget(a);

        assertThat(changes.size()).isEqualTo(1);
        assertThat(changes.hasSeen(a)).isFalse();
    }

    private static Pod pod(String uid, String ready, Instant lastTransition, String resourceVersion) {
        return new PodBuilder()
                .withNewMetadata().withName(uid.replace("-uid", "")).withUid(uid).withResourceVersion(resourceVersion)
                    .withCreationTimestamp(lastTransition.toString()).endMetadata()
                .withNewStatus().withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus(ready).withLastTransitionTime(lastTransition.toString())
                    .endCondition()
                .endStatus()
                .build();
    }
}
