package dev.ferry.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.worker.source.SourcePaths.OutsideSourceException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link SourcePaths#within} lets through, on a real filesystem: the source is {@code share/} of a
 * volume that also holds {@code private/}; links inside the source that stay in it are followed, a
 * directory on the way that is a link out of it refuses the file, wherever it sits on the path.
 */
class SourcePathsTest {
    @TempDir
    Path volume;
    Path source;

    @BeforeEach
    void aSourceBesideAPrivateDirectory() throws Exception {
        source = Files.createDirectories(volume.resolve("share"));
        Files.createDirectories(source.resolve("a/b/c"));
        Files.writeString(source.resolve("a/b/c/f.txt"), "in");
        Files.createDirectories(volume.resolve("private/b/c"));
        Files.writeString(volume.resolve("private/b/c/f.txt"), "secret");
    }

    @Test
    void aFileInPlainDirectoriesIsItsPathUnderTheSource() throws Exception {
        assertLetThrough(source, "a/b/c/f.txt", "top.txt");
    }

    @Test
    void aLinkedDirectoryThatStaysInTheSourceIsFollowed() throws Exception {
        Files.createSymbolicLink(source.resolve("current"), source.resolve("a"));
        Files.createSymbolicLink(source.resolve("a/relative"), Path.of("b"));

        assertLetThrough(source, "current/b/c/f.txt", "a/relative/c/f.txt");
    }

    @Test
    void aLinkOutOfTheSourceIsRefusedAtAnyDepth() throws Exception {
        Files.createSymbolicLink(source.resolve("out"), volume.resolve("private"));
        Files.createSymbolicLink(source.resolve("a/b/out"), volume.resolve("private/b"));
        Files.createSymbolicLink(source.resolve("a/up"), Path.of("../../private"));

        for (String path : new String[] {"out/b/c/f.txt", "out/f.txt", "a/b/out/c/f.txt", "a/up/b/c/f.txt"}) {
            assertThatThrownBy(() -> SourcePaths.within(source, path)).as(path)
                    .isInstanceOf(OutsideSourceException.class)
                    .hasMessageContaining("a directory on its way is a link out of the source");
        }
    }

    @Test
    void aLinkInsideTheSourceToALinkOutIsRefused() throws Exception {
        Files.createSymbolicLink(source.resolve("out"), volume.resolve("private"));
        Files.createSymbolicLink(source.resolve("a/hop"), source.resolve("out/b"));

        assertThatThrownBy(() -> SourcePaths.within(source, "a/hop/c/f.txt"))
                .isInstanceOf(OutsideSourceException.class);
    }

    @Test
    void aSourceReachedThroughALinkIsStillTheSource() throws Exception {
        Path linkedSource = Files.createSymbolicLink(volume.resolve("share-link"), source);
        Files.createSymbolicLink(source.resolve("current"), source.resolve("a"));
        Files.createSymbolicLink(source.resolve("out"), volume.resolve("private"));

        assertLetThrough(linkedSource, "a/b/c/f.txt", "current/b/c/f.txt");
        assertThatThrownBy(() -> SourcePaths.within(linkedSource, "out/b/c/f.txt"))
                .isInstanceOf(OutsideSourceException.class);
    }

    @Test
    void aDirectoryThatVanishedOrIsAFileIsLeftToTheReadThatFollows() throws Exception {
        assertLetThrough(source, "gone/c/f.txt", "a/b/c/f.txt/g.txt");
    }

    @Test
    void pathsThatAreNotPlainRelativeNamesAreRefusedBeforeTheFilesystemIsAsked() {
        for (String path : new String[] {"/etc/passwd", "a/../../private/b/c/f.txt", "..", "a/\0b", "", "."}) {
            assertThatThrownBy(() -> SourcePaths.within(source, path)).as(path)
                    .isInstanceOf(OutsideSourceException.class);
        }
    }

    /** Each path is let through as itself under {@code base}. */
    private static void assertLetThrough(Path base, String... paths) throws OutsideSourceException {
        for (String path : paths) {
            assertThat(SourcePaths.within(base, path)).as(path).isEqualTo(base.resolve(path));
        }
    }
}
