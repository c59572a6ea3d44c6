package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.VerifyMode;
import dev.ferry.worker.copy.ExistingObjects.Presence;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The skip-identical check of a task starts from one listing of its key range: absent keys are
 * uploaded with no request of their own, present ones are decided by size and then by a HEAD.
 */
class ExistingObjectsIT {
    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("existing-it");

    @TempDir
    Path source;

    @Test
    void tellsWhichOfATasksKeysExistAndTheirSizes() {
        put("t/a/00", 1);
        put("t/a/03", 3);
        put("t/a/07", 7);
        put("t/b/00", 9);   // beyond the task's range
        List<String> taskKeys = IntStream.range(1, 9).mapToObj(i -> "t/a/0" + i).toList();

        ExistingObjects existing = list(taskKeys, ExistingObjects.PAGE_SIZE);

        assertThat(existing.presence("t/a/03")).isEqualTo(Presence.PRESENT);
        assertThat(existing.size("t/a/03")).isEqualTo(3L);
        assertThat(existing.presence("t/a/07")).isEqualTo(Presence.PRESENT);
        assertThat(taskKeys).filteredOn(k -> !k.equals("t/a/03") && !k.equals("t/a/07"))
                .allSatisfy(k -> assertThat(existing.presence(k)).as(k).isEqualTo(Presence.ABSENT));
    }

    @Test
    void keysBeyondThePageBudgetAreLeftToAHead() {
        // the task's two keys are far apart, with many keys of others between them
        List<String> between = new ArrayList<>();
        for (int i = 1; i < 60; i++) {
            between.add(String.format("flat/k%03d", i));
        }
        between.forEach(k -> put(k, 1));
        put("flat/k060", 2);

        ExistingObjects existing = list(List.of("flat/k000", "flat/k060"), 5);

        assertThat(existing.presence("flat/k000")).isEqualTo(Presence.ABSENT);
        assertThat(existing.presence("flat/k060")).as("not reached within %s pages", ExistingObjects.pagesFor(2, 5))
                .isEqualTo(Presence.UNKNOWN);
    }

    @Test
    void anEmptyRangeMeansEveryKeyIsAbsent() {
        ExistingObjects existing = list(List.of("none/x", "none/y/z"), ExistingObjects.PAGE_SIZE);

        assertThat(existing.presence("none/x")).isEqualTo(Presence.ABSENT);
        assertThat(existing.presence("none/y/z")).isEqualTo(Presence.ABSENT);
    }

    @Test
    void ordersKeysAsS3DoesByUtf8Bytes() {
        // U+FF21 (fullwidth A) sorts before U+1F600 in UTF-8 and code points, after it in UTF-16
        String fullwidth = "k/\uFF21";
        String emoji = "k/\uD83D\uDE00";

        assertThat(ExistingObjects.S3_ORDER.compare(fullwidth, emoji)).isNegative();
        assertThat(ExistingObjects.withoutLastCodePoint(emoji)).isEqualTo("k/");
        assertThat(ExistingObjects.commonPrefix("k/\uD83D\uDE00", "k/\uD83D\uDE01")).isEqualTo("k/");
    }

    @Test
    void ifDifferentUploadsAKeyTheListingShowsAbsentWithoutAskingAgain() throws Exception {
        Path file = Files.write(source.resolve("f"), Trees.randomBytes(1000, 1));
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), OverwritePolicy.IfDifferent,
                VerifyMode.Checksum, CopyHooks.NONE)) {
            ExistingObjects listed = ExistingObjects.list(engine, List.of("f"));
            FileCopier copier = new FileCopier(engine);

            assertThat(copier.copy("f", file, listed).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            // the listing was taken before the upload and still says absent: it is trusted (no HEAD),
            // so the identical object is uploaded again — harmless, and the price of sparing the HEADs
            assertThat(copier.copy("f", file, listed).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            // a fresh listing shows it present with the file's size, and the HEAD finds it identical
            assertThat(copier.copy("f", file, ExistingObjects.list(engine, List.of("f"))).kind())
                    .isEqualTo(FileOutcome.Kind.SKIPPED);
        }
    }

    @Test
    void ifDifferentUploadsAKeyListedWithAnotherSize() throws Exception {
        Path file = Files.write(source.resolve("g"), Trees.randomBytes(1000, 1));
        put("g", 999);
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), OverwritePolicy.IfDifferent,
                VerifyMode.Checksum, CopyHooks.NONE)) {
            FileOutcome outcome = new FileCopier(engine).copy("g", file, ExistingObjects.list(engine, List.of("g")));

            assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }
    }

    @Test
    void neverSkipsAKeyTheListingShowsPresent() throws Exception {
        Path file = Files.write(source.resolve("h"), Trees.randomBytes(1000, 1));
        put("h", 5);
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), OverwritePolicy.Never,
                VerifyMode.Checksum, CopyHooks.NONE)) {
            FileOutcome outcome = new FileCopier(engine).copy("h", file, ExistingObjects.list(engine, List.of("h")));

            assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
            assertThat(S3.server().client().headObject(b -> b.bucket(S3.bucket()).key("h")).contentLength())
                    .as("the existing object is left alone").isEqualTo(5);
        }
    }

    private ExistingObjects list(List<String> keys, int pageSize) {
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), OverwritePolicy.IfDifferent,
                VerifyMode.Checksum, CopyHooks.NONE)) {
            return ExistingObjects.list(engine, keys, pageSize);
        }
    }

    private void put(String key, int size) {
        S3.server().client().putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromBytes(new byte[size]));
    }
}
