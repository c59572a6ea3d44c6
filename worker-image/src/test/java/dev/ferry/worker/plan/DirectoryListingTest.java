package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory's names in sorted order, with a bounded number of them in memory. */
class DirectoryListingTest {
    @TempDir
    Path source;
    @TempDir
    Path spill;

    @Test
    void aDirectoryBiggerThanMemoryAllowsIsMergedFromSortedRunsInTheWalkOrder() throws IOException {
        List<String> names = new ArrayList<>(List.of("Zeta", "alpha", "a b", "a\nnewline", "ünïcode", "日本語", "-dash",
                "123", "a.b", "a-b", "a_b", ".hidden"));
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            names.add("f" + Integer.toString(random.nextInt(1_000_000), 36) + "-" + i);
        }
        for (String name : names) {
            Files.createFile(source.resolve(name));
        }

        List<String> read = new ArrayList<>();
        try (DirectoryListing listing = DirectoryListing.read(source, 7, spill)) {
            assertThat(listing.size()).isEqualTo(names.size());
            assertThat(listing.spilledRuns()).isEqualTo((names.size() - 1) / 7);
            listing.forEach(read::add);
        }

        assertThat(read).isEqualTo(names.stream().sorted().toList());
        assertThat(filesIn(spill)).as("the runs are deleted once read").isEmpty();
    }

    @Test
    void aDirectoryThatFitsStaysInMemory() throws IOException {
        for (String name : List.of("b", "c", "a")) {
            Files.createFile(source.resolve(name));
        }

        try (DirectoryListing listing = DirectoryListing.read(source, 3, spill)) {
            assertThat(listing.spilledRuns()).isZero();
            assertThat(listing).containsExactly("a", "b", "c");
        }
        assertThat(filesIn(spill)).isEmpty();
    }

    @Test
    void anEmptyDirectoryHasNoNames() throws IOException {
        try (DirectoryListing listing = DirectoryListing.read(source, 1, spill)) {
            assertThat(listing.isEmpty()).isTrue();
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void runsLeftUnreadAreDeletedOnClose() throws IOException {
        for (int i = 0; i < 10; i++) {
            Files.createFile(source.resolve("n" + i));
        }
        DirectoryListing listing = DirectoryListing.read(source, 2, spill);
        assertThat(filesIn(spill)).hasSize(4);
        listing.iterator().next(); // a walk stopped early: the plan was handed back

        listing.close();

        assertThat(filesIn(spill)).isEmpty();
    }

    @Test
    void aSpillThatCannotBeWrittenFailsThePlanNotTheDirectory() throws IOException {
        for (int i = 0; i < 3; i++) {
            Files.createFile(source.resolve("n" + i));
        }
        Path notADirectory = Files.createFile(spill.resolve("occupied"));

        assertThatThrownBy(() -> DirectoryListing.read(source, 1, notADirectory))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot spill a sorted run");
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("ferry-listing-")).toList();
        }
    }
}
