package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FileEntry;
import dev.ferry.api.PartsScope;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PartsLayoutTest {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    @Test
    void aGibibyteFileWithEightMebibytePartsIsFourTasksOfThirtyTwoParts() {
        PartsLayout layout = PartsLayout.plan(GIB, null, GIB);

        assertThat(layout.partSize()).isEqualTo(8 * MIB);
        assertThat(layout.totalParts()).isEqualTo(128);
        assertThat(layout.tasks()).isEqualTo(4);
        assertThat(IntStream.range(0, 4).map(layout::firstPart)).containsExactly(1, 33, 65, 97);
        assertThat(IntStream.range(0, 4).map(layout::lastPart)).containsExactly(32, 64, 96, 128);
        assertThat(IntStream.range(0, 4).mapToLong(layout::bytes)).containsOnly(256 * MIB);
    }

    @Test
    void theRangesAreContiguousAndTheirBytesAddUpToTheFile() {
        long size = 41 * MIB + 12_345;
        PartsLayout layout = PartsLayout.plan(size, 5 * MIB, 40 * MIB);

        assertThat(layout.partSize()).isEqualTo(5 * MIB);
        assertThat(layout.totalParts()).isEqualTo(9);
        assertThat(layout.partsPerTask()).isEqualTo(2);
        assertThat(layout.tasks()).isEqualTo(5);
        for (int t = 1; t < layout.tasks(); t++) {
            assertThat(layout.firstPart(t)).isEqualTo(layout.lastPart(t - 1) + 1);
        }
        assertThat(layout.lastPart(layout.tasks() - 1)).isEqualTo(9);
        assertThat(IntStream.range(0, layout.tasks()).mapToLong(layout::bytes).sum()).isEqualTo(size);
    }

    @Test
    void aSplitSizeBelowFourPartsStillGivesEachTaskAWholePart() {
        PartsLayout layout = PartsLayout.plan(12 * MIB, 5 * MIB, 8 * MIB);

        assertThat(layout.partsPerTask()).isEqualTo(1);
        assertThat(layout.tasks()).isEqualTo(3);
        assertThat(layout.split()).isTrue();
    }

    @Test
    void aFileOfASinglePartIsNotSplit() {
        assertThat(PartsLayout.plan(7 * MIB, null, 4 * MIB).split()).isFalse();
    }

    @Test
    void anExistingFirstTaskGivesBackTheLayoutItWasCreatedWith() {
        PartsLayout planned = PartsLayout.plan(41 * MIB + 1, 5 * MIB, 40 * MIB);
        PartsScope first = new PartsScope();
        first.file = new FileEntry("huge.bin", 41 * MIB + 1, 0);
        first.partSize = planned.partSize();
        first.firstPart = planned.firstPart(0);
        first.lastPart = planned.lastPart(0);
        first.totalParts = planned.totalParts();

        assertThat(PartsLayout.of(first)).isEqualTo(planned);
    }
}
