package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ferry migrate --mode Sync` re-runs copy only new and changed files, `--mode Move` empties the
 * source of every file whose object it verified, and one file as SRC is stored as PREFIX/NAME — through the whole
 * operator/worker path.
 */
class MigrateModesIT {
    @RegisterExtension
    static final LocalS3PerClass S3 = new LocalS3PerClass("modes-key", "modes-secret");

    @TempDir
    static Path temp;

    @Test
    void aSyncRunCopiesOnlyTheFilesThatAreNewOrChanged() throws Exception {
        Path source = temp.resolve("sync-tree");
        SourceTree.generate(source, 60, 0, 7);
        int fileCount = SourceTree.describe(source).size();
        JsonNode first = migrate(source, "s3://modes/sync", "--mode", "Copy");
        assertThat(first.path("files").path("copied").asLong()).isEqualTo(fileCount);

        Path changed;
        try (Stream<Path> files = Files.walk(source)) {
            changed = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        Files.writeString(changed, "changed content");
        Files.setLastModifiedTime(changed, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
        Files.writeString(source.resolve("added.txt"), "a new file");

        JsonNode sync = migrate(source, "s3://modes/sync", "--mode", "Sync");

        assertThat(sync.path("succeeded").asBoolean()).isTrue();
        assertThat(sync.path("files").path("total").asLong()).isEqualTo(fileCount + 1);
        assertThat(sync.path("files").path("copied").asLong()).as("the changed file and the new one").isEqualTo(2);
        assertThat(sync.path("files").path("skipped").asLong()).isEqualTo(fileCount - 1);
        assertThat(ObjectListing.of(S3.s3(), S3.credentials(), "modes", "sync/")).isEqualTo(SourceTree.describe(source));
    }

    @Test
    void aMoveLeavesNoFileBehindAndEveryObjectIdentical() throws Exception {
        Path source = temp.resolve("move-tree");
        SourceTree.generate(source, 80, 6 << 20, 8);
        Map<String, String> expected = SourceTree.describe(source);

        JsonNode move = migrate(source, "s3://modes/move", "--mode", "Move", "--part-size", "5Mi");

        assertThat(move.path("succeeded").asBoolean()).isTrue();
        assertThat(move.path("files").path("copied").asLong()).isEqualTo(expected.size());
        assertThat(ObjectListing.of(S3.s3(), S3.credentials(), "modes", "move/")).isEqualTo(expected);
        try (Stream<Path> left = Files.walk(source)) {
            assertThat(left.filter(Files::isRegularFile)).as("files left in the source").isEmpty();
        }
    }

    @Test
    void aSingleFileIsStoredUnderThePrefixByItsNameAndNothingBesideItIsTouched() throws Exception {
        Path expected = Files.createDirectories(temp.resolve("one-expected"));
        byte[] content = new byte[7 << 20]; // a multipart upload with 5Mi parts
        new Random(3).nextBytes(content);
        Files.write(expected.resolve("report [v2]*.bin"), content); // glob characters in the name
        Path directory = temp.resolve("one-dir");
        Files.createDirectories(directory.resolve("sub"));
        Files.createDirectories(directory.resolve(".ferry"));
        Path file = Files.copy(expected.resolve("report [v2]*.bin"), directory.resolve("report [v2]*.bin"));
        Files.writeString(directory.resolve("report [v2]x.bin"), "a sibling the glob characters must not take");
        Files.writeString(directory.resolve("sub/inner.txt"), "in a directory beside it");

        JsonNode copy = migrate(file, "s3://modes/single", "--part-size", "5Mi");

        assertThat(copy.path("succeeded").asBoolean()).isTrue();
        assertThat(copy.path("files").path("total").asLong()).isEqualTo(1);
        assertThat(copy.path("files").path("copied").asLong()).isEqualTo(1);
        assertThat(copy.path("files").path("leftOut").asLong()).as("not even the reserved .ferry beside it").isZero();
        assertThat(ObjectListing.of(S3.s3(), S3.credentials(), "modes", "single/")).isEqualTo(SourceTree.describe(expected));

        JsonNode move = migrate(directory.resolve("report [v2]x.bin"), "s3://modes/single-move", "--mode", "Move");

        assertThat(move.path("files").path("copied").asLong()).isEqualTo(1);
        assertThat(directory.resolve("report [v2]x.bin")).doesNotExist();
        assertThat(file).exists();
        assertThat(directory.resolve("sub/inner.txt")).exists();
    }

    @Test
    void entriesLeftOutByPolicyAreCountedAndSaid() throws Exception {
        Path source = temp.resolve("left-out-tree");
        Files.createDirectories(source.resolve("docs"));
        Files.writeString(source.resolve("docs/a.txt"), "a");
        Files.createSymbolicLink(source.resolve("latest.txt"), Path.of("docs/a.txt"));
        Files.createSymbolicLink(source.resolve("docs/gone.txt"), Path.of("nowhere.txt"));
        Files.createDirectories(source.resolve(".ferry"));

        JsonNode copy = migrate(source, "s3://modes/left-out");

        assertThat(copy.path("succeeded").asBoolean()).isTrue();
        assertThat(copy.path("files").path("total").asLong()).isEqualTo(1);
        assertThat(copy.path("files").path("leftOut").asLong()).as("two links (symlinks: Skip) and .ferry").isEqualTo(3);
        String report = copy.path("leftOutReport").asText();
        assertThat(report).startsWith("s3://modes/left-out/.ferry/").endsWith("/left-out.jsonl");
        assertThat(copy.path("failureReport").isMissingNode()).as("left out by policy is not failed").isTrue();
        try (var s3 = ObjectListing.client(S3.s3(), S3.credentials())) {
            List<String> lines = s3.getObjectAsBytes(b -> b.bucket("modes").key(report.substring("s3://modes/".length())))
                    .asUtf8String().lines().toList();
            ObjectMapper json = new ObjectMapper();
            List<String> entries = new ArrayList<>();
            for (String line : lines) {
                JsonNode entry = json.readTree(line);
                entries.add(entry.path("path").asText() + " " + entry.path("code").asText());
            }
            assertThat(entries).containsExactlyInAnyOrder("latest.txt SYMLINK_SKIPPED", "docs/gone.txt SYMLINK_SKIPPED",
                    ".ferry RESERVED_PATH");
        }
    }

    private static JsonNode migrate(Path source, String destination, String... options) throws Exception {
        String[] args = Stream.of(Stream.of("migrate", source.toString(), destination, "--workers", "2",
                        "--work-dir", temp.resolve(".ferry").toString(), "--json"), S3.endpointOptions().stream(),
                Stream.of(options)).flatMap(s -> s).toArray(String[]::new);
        FerryProcess.Result result = FerryProcess.run(temp, Map.of(), 300, args);
        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        return new ObjectMapper().readTree(result.stdout());
    }
}
