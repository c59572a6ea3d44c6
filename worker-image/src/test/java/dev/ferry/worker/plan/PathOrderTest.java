package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathOrderTest {

    @Test
    void ordersLikeADepthFirstWalkWithSortedNames() {
        // plain string order would put "a.txt" before "a/b" ('.' < '/'): the walk visits dir "a" first
        assertThat(List.of("b", "a.txt", "a/z", "a/b/c", "A").stream().sorted(PathOrder.COMPARATOR).toList())
                .containsExactly("A", "a/b/c", "a/z", "a.txt", "b");
    }
}
