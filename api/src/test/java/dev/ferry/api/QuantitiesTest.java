package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuantitiesTest {

    @Test
    void parsesBinaryAndDecimalSuffixes() {
        assertThat(Quantities.parseBytes("16Mi")).isEqualTo(16L << 20);
        assertThat(Quantities.parseBytes("1Gi")).isEqualTo(1L << 30);
        assertThat(Quantities.parseBytes("1G")).isEqualTo(1_000_000_000L);
        assertThat(Quantities.parseBytes("1.5Ki")).isEqualTo(1536);
        assertThat(Quantities.parseBytes("1048576")).isEqualTo(1048576);
    }

    @Test
    void refusesWhatIsNotAQuantityWithAClearMessage() {
        assertThatThrownBy(() -> Quantities.parseBytes("16MB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16MB");
    }

    @Test
    void printsBytesForPeople() {
        assertThat(Quantities.humanBytes(512)).isEqualTo("512 B");
        assertThat(Quantities.humanBytes(3L << 30)).isEqualTo("3.0 GiB");
    }
}
