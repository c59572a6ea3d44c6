package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The RollingUpdate strategy's defaults: 25 % surge (rounded up), 25 % unavailable (rounded down). */
class RollingUpdateTest {

    @ParameterizedTest(name = "{0} replicas")
    @ValueSource(ints = {1, 2, 4, 7})
    void replacesEveryOldPodWithoutEverExceedingTheSurgeOrTheUnavailableBudget(int desired) {
        int current = 0;
        int available = 0;
        int old = desired;
        for (int step = 0; step < 100 && old > 0; step++) {
            RollingUpdate rolling = new RollingUpdate(desired, current, available, old);
            if (rolling.stopOneOld()) {
                old--;
            }
            if (rolling.startOne()) {
                current++;
            }
            assertThat(current + old).as("pods running").isLessThanOrEqualTo(desired + rolling.maxSurge());
            assertThat(available + old).as("pods available").isGreaterThanOrEqualTo(desired - rolling.maxUnavailable());
            available = current; // the new pods become available before the next sync
        }
        assertThat(old).isZero();
        assertThat(current).isEqualTo(desired);
    }

    @Test
    void aSingleReplicaIsReplacedOnlyOnceItsSuccessorIsAvailable() {
        RollingUpdate started = new RollingUpdate(1, 0, 0, 1);
        assertThat(started.stopOneOld()).isFalse();
        assertThat(started.startOne()).isTrue();

        assertThat(new RollingUpdate(1, 1, 0, 1).stopOneOld()).as("the new pod is not available yet").isFalse();
        assertThat(new RollingUpdate(1, 1, 1, 1).stopOneOld()).isTrue();
    }
}
