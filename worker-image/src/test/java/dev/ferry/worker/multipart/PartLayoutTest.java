package dev.ferry.worker.multipart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FileEntry;
import dev.ferry.api.PartsScope;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PartLayoutTest {
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    @Test
    void aGibibyteFileWithEightMebibytePartsIsFourTasksOfThirtyTwoParts() {
        PartLayout layout = PartLayout.forPartsTasks(GIB, null, GIB);

        assertThat(layout.partSize()).isEqualTo(8 * MIB);
        assertThat(layout.count()).isEqualTo(128);
        assertThat(layout.tasks()).isEqualTo(4);
        assertThat(IntStream.range(0, 4).map(layout::firstPart)).containsExactly(1, 33, 65, 97);
        assertThat(IntStream.range(0, 4).map(layout::lastPart)).containsExactly(32, 64, 96, 128);
        assertThat(IntStream.range(0, 4).mapToLong(layout::taskBytes)).containsOnly(256 * MIB);
    }

    @Test
    void theRangesAreContiguousAndTheirBytesAddUpToTheFile() {
        long size = 41 * MIB + 12_345;
        PartLayout layout = PartLayout.forPartsTasks(size, 5 * MIB, 40 * MIB);

        assertThat(layout.partSize()).isEqualTo(5 * MIB);
        assertThat(layout.count()).isEqualTo(9);
        assertThat(layout.partsPerTask()).isEqualTo(2);
        assertThat(layout.tasks()).isEqualTo(5);
        for (int t = 1; t < layout.tasks(); t++) {
            assertThat(layout.firstPart(t)).isEqualTo(layout.lastPart(t - 1) + 1);
        }
        assertThat(layout.lastPart(layout.tasks() - 1)).isEqualTo(9);
        assertThat(IntStream.range(0, layout.tasks()).mapToLong(layout::taskBytes).sum()).isEqualTo(size);
    }

    @Test
    void aSplitSizeBelowFourPartsStillGivesEachTaskAWholePart() {
        PartLayout layout = PartLayout.forPartsTasks(12 * MIB, 5 * MIB, 8 * MIB);

        assertThat(layout.partsPerTask()).isEqualTo(1);
        assertThat(layout.tasks()).isEqualTo(3);
        assertThat(layout.split()).isTrue();
    }

    @Test
    void aFileOfASinglePartIsNotSplit() {
        assertThat(PartLayout.forPartsTasks(7 * MIB, null, 4 * MIB).split()).isFalse();
    }

    @Test
    void anExistingFirstTaskGivesBackTheLayoutItWasCreatedWith() {
        PartLayout planned = PartLayout.forPartsTasks(41 * MIB + 1, 5 * MIB, 40 * MIB);
        PartsScope first = new PartsScope();
        first.file = new FileEntry("huge.bin", 41 * MIB + 1, 0);
        first.partSize = planned.partSize();
        first.firstPart = planned.firstPart(0);
        first.lastPart = planned.lastPart(0);
        first.totalParts = planned.count();

        assertThat(PartLayout.of(first)).isEqualTo(planned);
    }
}
