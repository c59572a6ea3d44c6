package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deletions a resumed watch missed, for as far back as the history reaches. */
class DeletionHistoryTest {
    private final DeletionHistory history = new DeletionHistory(3);

    @Test
    void givesTheDeletionsAfterAVersionThatTheQueryCovers() {
        history.record(10, key("a", "web"), "{}");
        history.record(11, key("b", "db"), "{}");
        history.record(12, key("c", "web"), "{}");

        assertThat(history.after(10, labels("web")).orElseThrow()).extracting(DeletionHistory.Deletion::version)
                .containsExactly(12L);
        assertThat(history.after(0, labels("web")).orElseThrow()).extracting(DeletionHistory.Deletion::version)
                .containsExactly(10L, 12L);
        assertThat(history.after(12, labels("web")).orElseThrow()).isEmpty();
    }

    @Test
    void aVersionOlderThanTheHistoryReachesIsGone() {
        for (long version = 1; version <= 5; version++) {
            history.record(version, key("o" + version, "web"), "{}");
        }

        assertThat(history.after(1, labels("web"))).as("deletion 2 was forgotten").isEmpty();
        assertThat(history.after(2, labels("web")).orElseThrow()).extracting(DeletionHistory.Deletion::version)
                .containsExactly(3L, 4L, 5L);
    }

    private static AttributeSet key(String name, String app) {
        return new AttributeSet(List.of(new Attribute("name", name), new Attribute("plural", "configmaps"),
                new Attribute("labels:app", app)));
    }

    private static AttributeSet labels(String app) {
        return new AttributeSet(List.of(new Attribute("plural", "configmaps"), new Attribute("labels:app", app)));
    }
}
