package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.ferry.api.FileEntry;
import dev.ferry.worker.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walk policy: what planning takes, what it leaves out and says so, and in which order. */
class SourceWalkerTest {
    @TempDir
    Path volume;
    Path source;
    Recorder seen;

    @BeforeEach
    void sourceInsideAVolume() {
        source = volume.resolve("data");
        Trees.write(source, "docs/a.txt", "a".getBytes());
        Trees.write(source, "docs/b.txt", "bb".getBytes());
        Trees.write(source, "releases/v3/app.bin", "v3".getBytes());
        Trees.write(volume, "elsewhere/secret.txt", "secret".getBytes());
        seen = new Recorder();
    }

    @Test
    void skipsAndReportsSymbolicLinksByDefault() throws Exception {
        Files.createSymbolicLink(source.resolve("latest.txt"), Path.of("docs/a.txt"));
        Files.createSymbolicLink(source.resolve("current"), Path.of("releases/v3"));

        walk(SourceWalker.Policy.all());

        assertThat(seen.files.keySet()).containsExactly("docs/a.txt", "docs/b.txt", "releases/v3/app.bin");
        assertThat(seen.skipped).containsExactly("current SYMLINK_SKIPPED", "latest.txt SYMLINK_SKIPPED");
    }

    @Test
    void followsLinksInsideTheSourceUnderTheLinksOwnPath() throws Exception {
        Files.createSymbolicLink(source.resolve("latest.txt"), Path.of("docs/a.txt"));
        Files.createSymbolicLink(source.resolve("current"), Path.of("releases/v3"));

        walk(following());

        assertThat(seen.files.keySet()).containsExactly("current/app.bin", "docs/a.txt", "docs/b.txt", "latest.txt",
                "releases/v3/app.bin");
        assertThat(seen.files.get("latest.txt").target).isEqualTo("docs/a.txt");
        assertThat(seen.files.get("latest.txt").size).isEqualTo(1);
        assertThat(seen.files.get("current/app.bin").target).isNull(); // read through the link directory
        assertThat(seen.skipped).isEmpty();
    }

    @Test
    void neverFollowsALinkOutOfTheSourcePath() throws Exception {
        Files.createSymbolicLink(source.resolve("escape.txt"), volume.resolve("elsewhere/secret.txt"));
        Files.createSymbolicLink(source.resolve("escape-dir"), Path.of("../elsewhere"));

        walk(following());

        assertThat(seen.files.keySet()).doesNotContain("escape.txt", "escape-dir/secret.txt");
        assertThat(seen.skipped).containsExactly("escape-dir SYMLINK_OUTSIDE_SOURCE", "escape.txt SYMLINK_OUTSIDE_SOURCE");
    }

    @Test
    void detectsLoopsAndDanglingLinks() throws Exception {
        Files.createSymbolicLink(source.resolve("docs/up"), Path.of(".."));
        Files.createSymbolicLink(source.resolve("ping"), Path.of("pong"));
        Files.createSymbolicLink(source.resolve("pong"), Path.of("ping"));
        Files.createSymbolicLink(source.resolve("gone.txt"), Path.of("does-not-exist.txt"));

        walk(following());

        assertThat(seen.files.keySet()).containsExactly("docs/a.txt", "docs/b.txt", "releases/v3/app.bin");
        assertThat(seen.skipped).containsExactly("docs/up SYMLINK_LOOP", "gone.txt SYMLINK_BROKEN",
                "ping SYMLINK_LOOP", "pong SYMLINK_LOOP");
    }

    @Test
    void aChildPlanSeesALinkBackToTheDirectoriesAboveItsScopeAsALoop() throws Exception {
        Files.createSymbolicLink(source.resolve("releases/v3/back"), Path.of("../.."));

        new SourceWalker(source, following()).walk("releases/v3", () -> null, seen);

        assertThat(seen.skipped).containsExactly("releases/v3/back SYMLINK_LOOP");
    }

    @Test
    void reportsSpecialFilesAndTheReservedStateDirectory() throws Exception {
        Path fifo = source.resolve("docs/pipe");
        assumeThat(mkfifo(fifo)).as("mkfifo available").isTrue();
        Trees.write(source, ".ferry/abc/manifests/x.jsonl", "{}".getBytes());
        Trees.write(source, "docs/.ferry/kept.txt", "nested is an ordinary name".getBytes());

        walk(SourceWalker.Policy.all());

        assertThat(seen.skipped).containsExactly(".ferry RESERVED_PATH", "docs/pipe SPECIAL_FILE");
        assertThat(seen.details.get("docs/pipe")).contains("FIFO");
        assertThat(seen.files.keySet()).contains("docs/.ferry/kept.txt");
    }

    @Test
    void leavesOutFilesYoungerThanMinFileAgeAndExcludedEntriesSilently() throws Exception {
        Files.setLastModifiedTime(source.resolve("docs/b.txt"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        Files.createSymbolicLink(source.resolve("docs/excluded.lnk"), Path.of("a.txt"));
        SourceWalker.Policy policy = new SourceWalker.Policy(PathFilter.of(null, List.of("**/*.lnk")), false,
                Instant.parse("2029-01-01T00:00:00Z"));

        walk(policy);

        assertThat(seen.files.keySet()).containsExactly("docs/a.txt", "releases/v3/app.bin");
        assertThat(seen.skipped).containsExactly("docs/b.txt TOO_RECENT");
    }

    @Test
    void aDirectoryTheVisitorTakesAwayIsNotWalkedAndItsSizeIsItsEntries() throws Exception {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        Recorder taking = new Recorder() {
            @Override
            public boolean enter(String relativePath, int entries) {
                sizes.put(relativePath, entries);
                return !relativePath.equals("releases");
            }
        };

        new SourceWalker(source, SourceWalker.Policy.all()).walk("", () -> null, taking);

        assertThat(sizes).containsExactly(Map.entry("docs", 2), Map.entry("releases", 1));
        assertThat(taking.files.keySet()).containsExactly("docs/a.txt", "docs/b.txt");
    }

    @Test
    void nothingAtOrBeforeTheFloorIsEmittedOrReportedAgain() throws Exception {
        Files.createSymbolicLink(source.resolve("docs/a.lnk"), Path.of("a.txt"));
        Files.createSymbolicLink(source.resolve("z.lnk"), Path.of("docs/a.txt"));

        new SourceWalker(source, SourceWalker.Policy.all()).walk("", () -> "docs/a.txt", seen);

        assertThat(seen.files.keySet()).containsExactly("docs/b.txt", "releases/v3/app.bin");
        assertThat(seen.skipped).containsExactly("z.lnk SYMLINK_SKIPPED");
        Recorder afterSubtree = new Recorder();
        new SourceWalker(source, SourceWalker.Policy.all()).walk("", () -> "docs/", afterSubtree);
        assertThat(afterSubtree.files.keySet()).containsExactly("releases/v3/app.bin");
        assertThat(afterSubtree.entered).doesNotContain("docs");
    }

    private void walk(SourceWalker.Policy policy) throws Exception {
        new SourceWalker(source, policy).walk("", () -> null, seen);
    }

    private static SourceWalker.Policy following() {
        return new SourceWalker.Policy(PathFilter.all(), true, null);
    }

    private static boolean mkfifo(Path path) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/mkfifo"))) {
            return false;
        }
        Process p = new ProcessBuilder("/usr/bin/mkfifo", path.toString()).start();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** Keeps what the walk said, in order. */
    static class Recorder implements SourceWalker.Visitor {
        final Map<String, FileEntry> files = new LinkedHashMap<>();
        final List<String> skipped = new ArrayList<>();
        final Map<String, String> details = new LinkedHashMap<>();
        final List<String> entered = new ArrayList<>();

        @Override
        public void file(FileEntry entry) {
            files.put(entry.path, entry);
        }

        @Override
        public boolean enter(String relativePath, int entries) {
            entered.add(relativePath);
            return true;
        }

        @Override
        public void skipped(String relativePath, SkipCode code, String detail) {
            skipped.add(relativePath + " " + code);
            details.put(relativePath, detail);
        }

        @Override
        public void unreadableDirectory(String relativePath, IOException cause) {
            skipped.add(relativePath + " UNREADABLE");
        }
    }

}
