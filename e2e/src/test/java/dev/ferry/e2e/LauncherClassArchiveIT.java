package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `ferry` launcher's class data archive of the CLI process: written by the first `migrate` of a jar as its
 * JVM exits, checked by a JVM that must map it before the next run puts it in place, used from then on; a
 * truncated one (a JVM killed while writing) is thrown away, never mapped (mapping one crashes a JVM).
 * Tagged slow (about 50 s of JVMs writing archives) and run with {@code -Pslow}: every other end-to-end
 * test goes through the launcher and its archive, and {@code ClassArchivesTest} holds the archives of
 * the pods' processes to the same rules.
 */
@Tag("slow")
class LauncherClassArchiveIT {

    @TempDir
    Path archives;
    @TempDir
    Path workDir;

    @Test
    void theFirstMigrateWritesTheArchiveTheNextRunChecksItAndPutsItInPlace() throws Exception {
        FerryProcess.Result first = migrate("first");
        assertThat(first.exitCode()).as("exit code; stderr:%n%s", first.stderr()).isZero();
        assertThat(cliArchives()).singleElement().asString().matches(".*/ferry-cli-[0-9a-f]{16}\\.jsa\\.\\d+\\.partial");

        FerryProcess.Result version = FerryProcess.run(FerryProcess.REPO, env(), 60, "--version");

        assertThat(version.exitCode()).isZero();
        assertThat(version.stderr()).isEmpty();
        Path archive = cliArchives().get(0);
        assertThat(archive.getFileName().toString()).matches("ferry-cli-[0-9a-f]{16}\\.jsa");
        Files.setLastModifiedTime(archive, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        FerryProcess.Result second = migrate("second");

        assertThat(second.exitCode()).as("exit code; stderr:%n%s", second.stderr()).isZero();
        assertThat(cliArchives()).as("no second archive written").containsExactly(archive);
        assertThat(Files.getLastModifiedTime(archive).toInstant()).as("marked as used")
                .isAfter(Instant.parse("2020-01-01T00:00:00Z"));
    }

    @Test
    void aTruncatedArchiveLeftByAKilledProcessIsThrownAwayNotMapped() throws Exception {
        FerryProcess.Result first = migrate("first");
        assertThat(first.exitCode()).as("exit code; stderr:%n%s", first.stderr()).isZero();
        Path partial = cliArchives().get(0);
        byte[] whole = Files.readAllBytes(partial);
        Files.delete(partial);
        // PID 2^22 + 1 is above Linux's pid_max: no process holds it
        String name = partial.getFileName().toString().replaceAll("\\.\\d+\\.partial$", ".4194305.partial");
        Files.write(partial.resolveSibling(name), Arrays.copyOf(whole, whole.length / 3));

        FerryProcess.Result version = FerryProcess.run(archives, env(), 60, "--version");

        assertThat(version.exitCode()).as("the launcher's JVM starts; stderr:%n%s", version.stderr()).isZero();
        assertThat(version.stderr()).isEmpty();
        assertThat(cliArchives()).isEmpty();
        try (Stream<Path> files = Files.list(archives)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no crash report of the checking JVM")
                    .noneMatch(f -> f.startsWith("hs_err"));
        }
    }

    private FerryProcess.Result migrate(String name) throws IOException, InterruptedException {
        return FerryProcess.run(FerryProcess.REPO, env(), 300, "migrate", "samples/data", "s3://demo", "--name", name,
                "--work-dir", workDir.toString());
    }

    private Map<String, String> env() {
        return Map.of("FERRY_CDS_DIR", archives.toString());
    }

    private List<Path> cliArchives() throws IOException {
        try (Stream<Path> files = Files.list(archives)) {
            return files.filter(f -> f.getFileName().toString().startsWith("ferry-cli-")).sorted().toList();
        }
    }
}
