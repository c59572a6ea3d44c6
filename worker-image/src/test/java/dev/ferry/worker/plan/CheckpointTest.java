package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {

    @Test
    void theEndOfASubtreeComesAfterEverythingInsideItAndBeforeItsNextSibling() {
        List<String> walkOrder = List.of("a.txt", "d", "d/e", "d/e/f.txt", "d/e/", "d/z.txt", "d/", "d0.txt", "e/x");
        List<String> shuffled = new ArrayList<>(walkOrder);
        Collections.shuffle(shuffled, new java.util.Random(7));

        shuffled.sort(Checkpoint::compare);

        assertThat(shuffled).containsExactlyElementsOf(walkOrder);
        for (String a : walkOrder) {
            for (String b : walkOrder) {
                assertThat(Integer.signum(Checkpoint.compare(a, b))).as("%s vs %s", a, b)
                        .isEqualTo(-Integer.signum(Checkpoint.compare(b, a)));
            }
        }
    }

    @Test
    void aSubtreeCheckpointCoversTheWholeDirectoryAndNothingAfterIt() {
        assertThat(Checkpoint.after("d/e/f.txt", "d/")).isFalse();
        assertThat(Checkpoint.after("d/zzz", "d/")).isFalse();
        assertThat(Checkpoint.after("d0.txt", "d/")).isTrue();
        assertThat(Checkpoint.after("e", "d/")).isTrue();
        assertThat(Checkpoint.coversWholeDirectory("d", "d/")).isTrue();
        assertThat(Checkpoint.coversWholeDirectory("d/e", "d/")).isTrue();
        assertThat(Checkpoint.coversWholeDirectory("e", "d/")).isFalse();
    }

    @Test
    void aDirectoryIsWhollyCoveredOnlyOnceTheCheckpointLeftIt() {
        assertThat(Checkpoint.coversWholeDirectory("d", "d/x.txt")).isFalse();
        assertThat(Checkpoint.coversWholeDirectory("d", "e.txt")).isTrue();
        assertThat(Checkpoint.coversWholeDirectory("d", "c.txt")).isFalse();
        assertThat(Checkpoint.coversWholeDirectory("d", null)).isFalse();
        // the directory "a" comes before the file "a.txt": its segment "a" sorts first
        assertThat(Checkpoint.coversWholeDirectory("a", "a.txt")).isTrue();
    }

    @Test
    void aDirectoryIsPartlyCoveredOnceAnyOfItsEntriesIs() {
        assertThat(Checkpoint.coversAnyOf("d", "d/a.txt")).isTrue();
        assertThat(Checkpoint.coversAnyOf("d", "d/")).isTrue();
        assertThat(Checkpoint.coversAnyOf("d", "e/")).isTrue();
        assertThat(Checkpoint.coversAnyOf("d", "c.txt")).isFalse();
        assertThat(Checkpoint.coversAnyOf("d", "c/")).isFalse();
        assertThat(Checkpoint.coversAnyOf("d", null)).isFalse();
    }

    @Test
    void theCheckpointNeverMovesBack() {
        assertThat(Checkpoint.max("d/", "d/x.txt")).isEqualTo("d/");
        assertThat(Checkpoint.max("d/x.txt", "d0")).isEqualTo("d0");
        assertThat(Checkpoint.max(null, "a")).isEqualTo("a");
    }
}
