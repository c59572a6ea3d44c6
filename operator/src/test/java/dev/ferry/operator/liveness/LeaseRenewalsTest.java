package dev.ferry.operator.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A worker's Lease timed on the operator's clock, and what it tells of the worker's clock. */
class LeaseRenewalsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    private final LeaseRenewals renewals = new LeaseRenewals();

    @Test
    void aLeaseIsTimedFromWhenItWasSeenToChangeNotFromTheTimeItNames() {
        Lease lease = lease("w1-uid", NOW.minus(Duration.ofMinutes(3)), "5");

        assertThat(renewals.expiry(lease, NOW)).contains(NOW.plusSeconds(15));
        assertThat(renewals.expiry(lease, NOW.plusSeconds(10))).as("looked at again, unchanged").contains(NOW.plusSeconds(15));
        Lease renewed = lease("w1-uid", NOW.minus(Duration.ofMinutes(3)).plusSeconds(5), "6");
        assertThat(renewals.expiry(renewed, NOW.plusSeconds(5))).contains(NOW.plusSeconds(20));
    }

    @Test
    void theWorkersClockOffsetComesFromItsLastSeenRenewal() {
        renewals.seenRenewedAt(lease("w1-uid", NOW.plusSeconds(60), "5"), NOW.plusSeconds(1)); // seen 1 s after it was written
        renewals.seenRenewedAt(lease("w2-uid", NOW.minusSeconds(120), "7"), NOW);

        assertThat(renewals.clockOffset("w1-uid")).contains(Duration.ofSeconds(59));
        assertThat(renewals.onOperatorClock("w1-uid", NOW.plusSeconds(100))).isEqualTo(NOW.plusSeconds(41));
        assertThat(renewals.onOperatorClock("w2-uid", NOW)).isEqualTo(NOW.plusSeconds(120));
        assertThat(renewals.onOperatorClock("never-seen", NOW)).as("taken at its word").isEqualTo(NOW);
        assertThat(renewals.onOperatorClock(null, NOW)).isEqualTo(NOW);
    }

    @Test
    void aDeletedLeaseIsForgottenSoTheMapHoldsOnlyLiveWorkers() {
        Lease lease = lease("w1-uid", NOW, "5");
        renewals.seenRenewedAt(lease, NOW);
        renewals.seenRenewedAt(lease("w2-uid", NOW, "6"), NOW);

        renewals.forget(lease);

        assertThat(renewals.size()).isEqualTo(1);
        assertThat(renewals.clockOffset("w1-uid")).isEmpty();
        assertThat(renewals.expiry(lease, NOW.plusSeconds(30))).as("seen anew").contains(NOW.plusSeconds(45));
    }

    @Test
    void aLeaseWithoutAHolderOrDurationIsNotTimed() {
        Lease noHolder = new LeaseBuilder().withNewMetadata().withName("w1").endMetadata()
                .withNewSpec().withLeaseDurationSeconds(15).endSpec().build();
        Lease noDuration = new LeaseBuilder().withNewMetadata().withName("w1").endMetadata()
                .withNewSpec().withHolderIdentity("w1-uid").endSpec().build();

        assertThat(renewals.expiry(noHolder, NOW)).isEmpty();
        assertThat(renewals.expiry(noDuration, NOW)).isEmpty();
    }

    private static Lease lease(String holder, Instant renewTime, String resourceVersion) {
        return new LeaseBuilder().withNewMetadata().withName(holder.replace("-uid", "")).withResourceVersion(resourceVersion)
                .endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15)
                .withRenewTime(renewTime.atZone(ZoneOffset.UTC)).endSpec()
                .build();
    }
}
