package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.SymlinkPolicy;
import dev.ferry.worker.testing.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
    void plansANameThatIsNotUtf8InItsMarkedFormWithoutOpeningIt() throws Exception {
        Trees.writeByRawName(source.resolve("docs"), "caf\\351.txt", "latin-1");
        Trees.writeByRawName(source, "r\\351sum\\351/", "");
        Trees.writeByRawName(source, "r\\351sum\\351/inner.txt", "under a directory no string can name");

        walk(SourceWalker.Policy.all());

        assertThat(seen.files.keySet()).as("planned, so that the copy fails each by its name: never left out")
                .containsExactly("docs/a.txt", "docs/b.txt", "docs/caf\uFFFDE9.txt", "releases/v3/app.bin",
                        "r\uFFFDE9sum\uFFFDE9");
        assertThat(seen.files.get("docs/caf\uFFFDE9.txt").size).isZero();
        assertThat(seen.skipped).isEmpty();
    }

    @Test
    void leavesOutFilesYoungerThanMinFileAgeAndExcludedEntriesSilently() throws Exception {
        Files.setLastModifiedTime(source.resolve("docs/b.txt"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        Files.createSymbolicLink(source.resolve("docs/excluded.lnk"), Path.of("a.txt"));
        SourceWalker.Policy policy = new SourceWalker.Policy(PathFilter.of(null, List.of("**/*.lnk")),
                SymlinkPolicy.Skip, false, Instant.parse("2029-01-01T00:00:00Z"));

        walk(policy);

        assertThat(seen.files.keySet()).containsExactly("docs/a.txt", "releases/v3/app.bin");
        assertThat(seen.skipped).containsExactly("docs/b.txt TOO_RECENT");
    }

    @Test
    void doesNotGoIntoADirectoryThatAnExcludeTakesWhole() throws Exception {
        Trees.write(source, ".snapshot/hourly.0/docs/a.txt", "a".getBytes());
        Trees.write(source, "app/node_modules/lib/index.js", "js".getBytes());
        Trees.write(source, "app/main.js", "main".getBytes());
        Files.createDirectories(source.resolve("node_modules")); // empty: still marked, as before
        Files.createSymbolicLink(source.resolve(".snapshot/hourly.0/loop"), Path.of("..")); // never met
        SourceWalker.Policy policy = marking(PathFilter.of(null, List.of(".snapshot/**", "**/node_modules/**")));

        walk(policy);

        assertThat(seen.files.keySet()).containsExactly("app/main.js", "docs/a.txt", "docs/b.txt", "node_modules",
                "releases/v3/app.bin");
        assertThat(seen.entered).doesNotContain(".snapshot", ".snapshot/hourly.0", "app/node_modules",
                "app/node_modules/lib", "node_modules").contains("app", "docs", "releases/v3");
        assertThat(seen.skipped).isEmpty();
    }

    @Test
    void theReservedStateDirectoryIsLeftOutSilentlyWhenAnExcludeTakesItWhole() throws Exception {
        Trees.write(source, ".ferry/x.txt", "x".getBytes());

        walk(new SourceWalker.Policy(PathFilter.of(null, List.of("*/**")), SymlinkPolicy.Skip, false, null));

        assertThat(seen.skipped).isEmpty();
        assertThat(seen.files).isEmpty();
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
    void aWalkWhoseListingsSpillToDiskEmitsWhatOneHeldInMemoryEmits() throws Exception {
        for (int i = 0; i < 40; i++) {
            Trees.write(source, "wide/f" + (i * 7919 % 40), new byte[i]);
            Trees.write(source, "wide/sub" + (i % 3) + "/g" + i, new byte[1]);
        }
        Files.createSymbolicLink(source.resolve("wide/link"), Path.of("f1"));
        Path spill = volume.resolve("spill");

        new SourceWalker(source, SourceWalker.Policy.all()).walk("", () -> "docs/b.txt", seen);
        Recorder spilled = new Recorder();
        new SourceWalker(source, SourceWalker.Policy.all(), 3, spill).walk("", () -> "docs/b.txt", spilled);

        assertThat(spilled.files.keySet()).hasSize(81).containsExactlyElementsOf(seen.files.keySet());
        assertThat(spilled.skipped).containsExactlyElementsOf(seen.skipped).isNotEmpty();
        assertThat(spilled.entered).containsExactlyElementsOf(seen.entered);
        try (var left = Files.list(spill)) {
            assertThat(left).as("every sorted run is deleted after its directory").isEmpty();
        }
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

    @Test
    void storeEmitsEveryLinkAsItselfWithItsTextAndNeverFollowsIt() throws Exception {
        Files.setLastModifiedTime(source.resolve("docs/a.txt"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        Files.createSymbolicLink(source.resolve("latest.txt"), Path.of("docs/a.txt"));
        Files.createSymbolicLink(source.resolve("current"), Path.of("releases/v3"));
        Files.createSymbolicLink(source.resolve("gone.txt"), Path.of("does-not-exist.txt"));
        Files.createSymbolicLink(source.resolve("escape"), Path.of("../elsewhere"));
        Files.createSymbolicLink(source.resolve("docs/up"), Path.of(".."));

        walk(storing());

        assertThat(seen.files.values()).extracting(SourceWalkerTest::kindAndPath).containsExactly(
                "Symlink current", "File docs/a.txt", "File docs/b.txt", "Symlink docs/up", "Symlink escape",
                "Symlink gone.txt", "Symlink latest.txt", "File releases/v3/app.bin");
        assertThat(seen.skipped).isEmpty();
        FileEntry latest = seen.files.get("latest.txt");
        assertThat(latest.linkTarget).isEqualTo("docs/a.txt");
        assertThat(latest.size).isEqualTo("docs/a.txt".length());
        assertThat(latest.target).isNull();
        assertThat(latest.mtime).as("the link's own mtime, not its target's")
                .isEqualTo(Files.getLastModifiedTime(source.resolve("latest.txt"), LinkOption.NOFOLLOW_LINKS).toMillis())
                .isNotEqualTo(Instant.parse("2001-01-01T00:00:00Z").toEpochMilli());
        assertThat(seen.files.get("escape").linkTarget).isEqualTo("../elsewhere");
        assertThat(seen.files.get("docs/up").linkTarget).isEqualTo("..");
        assertThat(seen.entered).doesNotContain("current", "escape", "docs/up");
    }

    @Test
    void storeKeepsTheLinkTextExactlyAsWritten() throws Exception {
        // ln, not Files.createSymbolicLink: a java.nio Path would normalize the text before the link is made
        assumeThat(ln("releases/v3/", source.resolve("trailing"))).as("ln available").isTrue();
        assertThat(ln("docs//a.txt", source.resolve("doubled"))).isTrue();
        Files.createSymbolicLink(source.resolve("café"), Path.of("naïve/ünïcode.txt"));

        walk(storing());

        assertThat(seen.files.get("trailing").linkTarget).isEqualTo("releases/v3/");
        assertThat(seen.files.get("doubled").linkTarget).isEqualTo("docs//a.txt");
        assertThat(seen.files.get("café").linkTarget).isEqualTo("naïve/ünïcode.txt");
        assertThat(seen.files.get("café").size).isEqualTo("naïve/ünïcode.txt".getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void markersAreEmittedForEmptyDirectoriesOnlyAtTheirPlaceInTheWalkOrder() throws Exception {
        Files.createDirectories(source.resolve("docs/empty"));
        Files.createDirectories(source.resolve("nest/inner"));
        Files.createDirectories(source.resolve("zz-empty"));

        walk(marking(PathFilter.all()));

        assertThat(seen.files.values()).extracting(SourceWalkerTest::kindAndPath).containsExactly(
                "File docs/a.txt", "File docs/b.txt", "Directory docs/empty", "Directory nest/inner",
                "File releases/v3/app.bin", "Directory zz-empty");
        FileEntry marker = seen.files.get("docs/empty");
        assertThat(marker.size).isZero();
        assertThat(marker.mtime).isEqualTo(Files.getLastModifiedTime(source.resolve("docs/empty")).toMillis());
        assertThat(marker.target).isNull();
    }

    @Test
    void theSourcePathItselfGetsNoMarkerAndSkipMakesNone() throws Exception {
        Path empty = volume.resolve("empty-source");
        Files.createDirectories(empty);
        new SourceWalker(empty, marking(PathFilter.all())).walk("", () -> null, seen);
        Files.createDirectories(source.resolve("docs/empty"));
        new SourceWalker(source, SourceWalker.Policy.all()).walk("", () -> null, seen);

        assertThat(seen.files.values()).extracting(SourceWalkerTest::kindAndPath)
                .containsExactly("File docs/a.txt", "File docs/b.txt", "File releases/v3/app.bin");
    }

    @Test
    void aMarkerIsInScopeWhenItsDirectoryPathIsAsAFilePathWouldBe() throws Exception {
        Files.createDirectories(source.resolve("docs/empty"));
        Files.createDirectories(source.resolve("docs/tmp"));
        Files.createDirectories(source.resolve("cache"));
        Files.createDirectories(source.resolve("logs/old"));

        new SourceWalker(source, marking(PathFilter.of(List.of("docs/**", "logs/**"), List.of("**/tmp"))))
                .walk("", () -> null, seen);

        assertThat(seen.files.values()).extracting(SourceWalkerTest::kindAndPath).containsExactly(
                "File docs/a.txt", "File docs/b.txt", "Directory docs/empty", "Directory logs/old");
    }

    @Test
    void linksAndMarkersAtOrBeforeTheFloorAreNotEmittedAgain() throws Exception {
        Files.createDirectories(source.resolve("docs/empty"));
        Files.createSymbolicLink(source.resolve("docs/c.lnk"), Path.of("a.txt"));
        Files.createSymbolicLink(source.resolve("docs/f.lnk"), Path.of("a.txt"));
        SourceWalker.Policy both = new SourceWalker.Policy(PathFilter.all(), SymlinkPolicy.Store, true, null);

        new SourceWalker(source, both).walk("", () -> "docs/empty", seen);
        Recorder fromLink = new Recorder();
        new SourceWalker(source, both).walk("", () -> "docs/c.lnk", fromLink);

        assertThat(seen.files.keySet()).containsExactly("docs/f.lnk", "releases/v3/app.bin");
        assertThat(fromLink.files.keySet()).containsExactly("docs/empty", "docs/f.lnk", "releases/v3/app.bin");
    }

    @Test
    void aChildPlanWhoseDirectoryWasEmptiedMarksIt() throws Exception {
        Files.createDirectories(source.resolve("handed/off"));

        new SourceWalker(source, marking(PathFilter.all())).walk("handed/off", () -> null, seen);
        Recorder resumed = new Recorder();
        new SourceWalker(source, marking(PathFilter.all())).walk("handed/off", () -> "handed/off", resumed);

        assertThat(seen.files.values()).extracting(SourceWalkerTest::kindAndPath).containsExactly("Directory handed/off");
        assertThat(resumed.files).isEmpty();
    }

    @Test
    void aFollowedLinkToAnEmptyDirectoryIsMarkedAndReadAtItsTarget() throws Exception {
        Files.createDirectories(source.resolve("releases/v4"));
        Files.createSymbolicLink(source.resolve("next"), Path.of("releases/v4"));

        walk(new SourceWalker.Policy(PathFilter.all(), SymlinkPolicy.Follow, true, null));

        assertThat(seen.files.get("next").kind).isEqualTo(EntryKind.Directory);
        assertThat(seen.files.get("next").target).isEqualTo("releases/v4");
        assertThat(seen.files.get("releases/v4").kind).isEqualTo(EntryKind.Directory);
        assertThat(seen.files.get("releases/v4").target).isNull();
    }

    private void walk(SourceWalker.Policy policy) throws Exception {
        new SourceWalker(source, policy).walk("", () -> null, seen);
    }

    private static SourceWalker.Policy following() {
        return new SourceWalker.Policy(PathFilter.all(), SymlinkPolicy.Follow, false, null);
    }

    private static SourceWalker.Policy storing() {
        return new SourceWalker.Policy(PathFilter.all(), SymlinkPolicy.Store, false, null);
    }

    private static SourceWalker.Policy marking(PathFilter filter) {
        return new SourceWalker.Policy(filter, SymlinkPolicy.Skip, true, null);
    }

    private static String kindAndPath(FileEntry entry) {
        return (entry.kind == null ? "File" : entry.kind.name()) + " " + entry.path;
    }

    private static boolean ln(String text, Path link) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/bin/ln")) && !Files.isExecutable(Path.of("/bin/ln"))) {
            return false;
        }
        Process p = new ProcessBuilder("ln", "-s", text, link.toString()).start();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
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
        public void skipped(String relativePath, FailureCode code, String detail) {
            skipped.add(relativePath + " " + code);
            details.put(relativePath, detail);
        }

        @Override
        public void unreadableDirectory(String relativePath, IOException cause) {
            skipped.add(relativePath + " UNREADABLE");
        }
    }

}
