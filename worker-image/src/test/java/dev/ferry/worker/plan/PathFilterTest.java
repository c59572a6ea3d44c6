package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathFilterTest {

    @Test
    void includesMatchAtAnyDepthAndExcludesWin() {
        PathFilter filter = PathFilter.of(List.of("**/*.csv"), List.of("tmp/**"));

        assertThat(filter.includes("a.csv")).isTrue();
        assertThat(filter.includes("x/y/a.csv")).isTrue();
        assertThat(filter.includes("x/a.txt")).isFalse();
        assertThat(filter.includes("tmp/a.csv")).isFalse();
    }

    @Test
    void noPatternsTakeEverything() {
        assertThat(PathFilter.of(null, null).includes("any/thing")).isTrue();
    }
}
