package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

    @Test
    void readsGoDurations() {
        assertThat(GoDuration.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(GoDuration.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void refusesWhatIsNotADuration() {
        assertThatThrownBy(() -> GoDuration.parse("10")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GoDuration.parse("ten minutes")).isInstanceOf(IllegalArgumentException.class);
    }
}
