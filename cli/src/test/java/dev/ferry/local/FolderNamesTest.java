package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderNamesTest {
    @TempDir
    Path folder;
    private final AtomicInteger reads = new AtomicInteger();
    private final FolderNames names = new FolderNames(Clock.systemUTC());

    @Test
    void theNamesOfAFolderThatStoodStillAreReadOnceForAllItsPages() throws Exception {
        files("b", "a", "c");
        standStill();

        assertThat(names.of("bucket/", folder, this::read)).containsExactly("a", "b", "c");
        assertThat(names.of("bucket/", folder, this::read)).containsExactly("a", "b", "c");

        assertThat(reads).hasValue(1);
    }

    @Test
    void aFileCreatedOrRemovedInTheFolderIsSeenAtTheNextListing() throws Exception {
        files("a", "b");
        standStill();
        names.of("bucket/", folder, this::read);

        files("c");
        assertThat(names.of("bucket/", folder, this::read)).containsExactly("a", "b", "c");
        Files.delete(folder.resolve("a"));
        assertThat(names.of("bucket/", folder, this::read)).containsExactly("b", "c");

        assertThat(reads).hasValue(3);
    }

    @Test
    void aFolderChangedWithinTheLastSecondIsReadEveryTime() throws Exception {
        files("a");

        names.of("bucket/", folder, this::read);
        names.of("bucket/", folder, this::read);

        assertThat(reads).as("its mtime may not move again for a change in the same clock tick").hasValue(2);
    }

    @Test
    void eachListingKeepsItsOwnNames() throws Exception {
        files("a", "ab", "b");
        standStill();

        assertThat(names.of("bucket/", folder, this::read)).containsExactly("a", "ab", "b");
        assertThat(names.of("bucket/a", folder, () -> read().stream().filter(n -> n.startsWith("a")).toList()))
                .containsExactly("a", "ab");
        assertThat(names.of("bucket/", folder, this::read)).containsExactly("a", "ab", "b");
        assertThat(names.of("other/", folder.resolve("missing"), List::of)).isEmpty();
    }

    private List<String> read() throws IOException {
        reads.incrementAndGet();
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }

    private void files(String... names) throws IOException {
        for (String name : names) {
            Files.writeString(folder.resolve(name), name);
        }
    }

    private void standStill() throws IOException {
        Files.setLastModifiedTime(folder, FileTime.from(Instant.now().minus(FolderNames.QUIET.multipliedBy(5))));
    }
}
