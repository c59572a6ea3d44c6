package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names as a filesystem holds them become keys, whatever the caller's locale: spaces, other scripts,
 * newlines and other control characters, characters that URLs reserve. A name whose bytes are not UTF-8
 * (Latin-1 names from an old NAS) fails alone and is named in the report in its marked form; it is never left
 * out without a word — through the whole operator/worker path, `ferry migrate` run as a process.
 */
class FileNamesIT {
    @RegisterExtension
    static final LocalS3PerClass S3 = new LocalS3PerClass("names-key", "names-secret");

    @TempDir
    static Path temp;

    @Test
    void everyNameIsCopiedOrReportedWhenTheCallerRunsInThePosixLocale() throws Exception {
        Path source = temp.resolve("namés"); // the source's own path, an argument, is not ASCII either
        for (String name : List.of("sp ace/a b.txt", "日本語/ファイル.txt", "café.txt", "plus+and&eq=q?x#h%25.txt",
                "new\nline.txt", "back\\slash.txt", "-dash.txt", "deep/er/still/file.txt", "ctl\u0001x.txt",
                "esc\u001B[31mred.txt", "tab\tname.txt", "cr\rx.txt", "del\u007Fx.txt", " leading space",
                "trailing space ")) {
            Path file = source.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "content of " + name);
        }
        Files.createFile(source.resolve("empty.txt"));
        Map<String, String> expected = SourceTree.describe(source);
        Files.createDirectories(source.resolve("old"));
        writeByRawName(source.resolve("old"), "caf\\351.txt");
        writeByRawName(source.resolve("old"), "caf\\350.txt");
        writeByRawName(source, "r\\351sum\\351");
        writeByRawName(source.resolve("deep"), "na\\357ve.txt");
        // XML cannot carry U+0001: a multipart upload's answers name the key, so the file is refused before one
        Files.write(source.resolve("big\u0001.bin"), new byte[6 << 20]);

        JsonNode copy = migrateInThePosixLocale(source, "Copy");

        assertThat(copy.path("files").path("copied").asLong()).isEqualTo(expected.size());
        assertThat(failures(copy)).containsExactlyInAnyOrder("old/caf\uFFFDE9.txt NAME_NOT_ENCODABLE",
                "old/caf\uFFFDE8.txt NAME_NOT_ENCODABLE", "r\uFFFDE9sum\uFFFDE9 NAME_NOT_ENCODABLE",
                "deep/na\uFFFDEFve.txt NAME_NOT_ENCODABLE", "big\u0001.bin NAME_NOT_ENCODABLE");
        assertThat(ObjectListing.of(S3.s3(), S3.credentials(), "names", "tree/")).isEqualTo(expected);

        JsonNode sync = migrateInThePosixLocale(source, "Sync");

        assertThat(sync.path("files").path("skipped").asLong()).as("every key listed back as it was stored")
                .isEqualTo(expected.size());
        assertThat(sync.path("files").path("copied").asLong()).isZero();
        assertThat(failures(sync)).hasSize(5);
    }

    @Test
    void aFollowedLinkToAFileWhoseNameIsNotUtf8FailsAsNotEncodableNotAsVanished() throws Exception {
        Path source = temp.resolve("links");
        Files.createDirectories(source.resolve("old"));
        Files.writeString(source.resolve("ok.txt"), "ok");
        writeByRawName(source.resolve("old"), "caf\\351.txt");
        Process link = new ProcessBuilder("sh", "-c", "ln -s \"old/$(printf 'caf\\351.txt')\" link.txt")
                .directory(source.toFile()).start();
        assertThat(link.waitFor(10, TimeUnit.SECONDS) && link.exitValue() == 0).isTrue();

        JsonNode copy = migrateInThePosixLocale(source, "Copy", "s3://names/links", "--symlinks", "Follow");

        assertThat(copy.path("files").path("copied").asLong()).isEqualTo(1);
        assertThat(failures(copy)).containsExactlyInAnyOrder("old/caf\uFFFDE9.txt NAME_NOT_ENCODABLE",
                "link.txt NAME_NOT_ENCODABLE");
    }

    private static JsonNode migrateInThePosixLocale(Path source, String mode) throws Exception {
        return migrateInThePosixLocale(source, mode, "s3://names/tree");
    }

    private static JsonNode migrateInThePosixLocale(Path source, String mode, String destination, String... more)
            throws Exception {
        FerryProcess.Result result = FerryProcess.run(temp, Map.of("LC_ALL", "POSIX"), 300,
                Stream.of(Stream.of("migrate", source.toString(), destination, "--workers", "2",
                                "--mode", mode, "--part-size", "5Mi", "--work-dir", temp.resolve(".ferry").toString(),
                                "--json"), Stream.of(more),
                        S3.endpointOptions().stream()).flatMap(s -> s).toArray(String[]::new));
        assertThat(result.exitCode()).as("files failed; stderr:%n%s", result.stderr()).isEqualTo(1);
        return new ObjectMapper().readTree(result.stdout());
    }

    private static List<String> failures(JsonNode summary) {
        assertThat(summary.path("files").path("failed").asLong()).isEqualTo(summary.path("failures").size());
        List<String> failures = new ArrayList<>();
        summary.path("failures").forEach(f -> failures.add(f.path("path").asText() + " " + f.path("code").asText()));
        return failures;
    }

    /** A file (or, without a dot in the name, a directory holding one) named by the octal escapes of printf. */
    private static void writeByRawName(Path directory, String printfName) throws Exception {
        String name = "\"$(printf '" + printfName + "')\"";
        String command = printfName.contains(".") ? "printf latin-1 > " + name
                : "mkdir " + name + " && printf inside > " + name + "/cv.txt";
        Process shell = new ProcessBuilder("sh", "-c", command).directory(directory.toFile()).start();
        assertThat(shell.waitFor(10, TimeUnit.SECONDS) && shell.exitValue() == 0).as(command).isTrue();
    }
}
