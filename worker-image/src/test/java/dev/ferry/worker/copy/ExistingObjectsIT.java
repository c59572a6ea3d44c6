package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.VerifyMode;
import dev.ferry.worker.copy.ExistingObjects.Presence;
import dev.ferry.worker.metrics.S3Metrics;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.Trees;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 * The skip-identical check of a task starts from a listing of its key range (folder by folder where it
 * has several keys per folder): absent keys are uploaded with no request of their own, present ones are
 * decided by size and then by a HEAD.
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
    void aTaskOverSeveralFoldersListsEachFolderAloneNotTheSubtreesBesideIt() {
        put("s/a/03", 3);
        put("s/b/05", 5);
        put("s/a/m/", 0);          // a directory marker of the task, stored
        put("s/a/n/below", 1);     // one that is not stored, with an object below it
        for (int i = 0; i < 30; i++) {
            put("s/a/0/deep/" + i, 1); // a subtree inside the task's range, not the task's
        }
        List<String> keys = new ArrayList<>();
        for (String folder : List.of("s/a/", "s/b/")) {
            IntStream.range(0, 8).forEach(i -> keys.add(folder + "0" + i));
        }
        keys.addAll(List.of("s/a/m/", "s/a/n/", "s/a/z/"));
        MeterRegistry requests = new SimpleMeterRegistry();

        ExistingObjects existing;
        try (CopyEngine engine = TestEngines.counted(S3.server(), S3.bucket(), OverwritePolicy.IfDifferent,
                new S3Metrics(requests))) {
            existing = ExistingObjects.list(engine, keys);
        }

        assertThat(listings(requests)).as("one listing per folder, with the delimiter").isEqualTo(2);
        assertThat(existing.presence("s/a/03")).isEqualTo(Presence.PRESENT);
        assertThat(existing.size("s/a/03")).isEqualTo(3L);
        assertThat(existing.presence("s/b/05")).isEqualTo(Presence.PRESENT);
        assertThat(existing.size("s/b/05")).isEqualTo(5L);
        assertThat(keys).filteredOn(k -> !k.endsWith("/") && !k.equals("s/a/03") && !k.equals("s/b/05"))
                .allSatisfy(k -> assertThat(existing.presence(k)).as(k).isEqualTo(Presence.ABSENT));
        assertThat(existing.presence("s/a/m/")).as("listed as a prefix: its HEAD decides").isEqualTo(Presence.UNKNOWN);
        assertThat(existing.presence("s/a/n/")).as("listed as a prefix: its HEAD decides").isEqualTo(Presence.UNKNOWN);
        assertThat(existing.presence("s/a/z/")).isEqualTo(Presence.ABSENT);
    }

    @Test
    void aTaskOfAFileOrTwoPerFolderListsItsRangeAtOnce() {
        put("u/c/f", 4);
        List<String> keys = List.of("u/a/f", "u/b/f", "u/c/f", "u/d/f");
        MeterRegistry requests = new SimpleMeterRegistry();

        ExistingObjects existing;
        try (CopyEngine engine = TestEngines.counted(S3.server(), S3.bucket(), OverwritePolicy.IfDifferent,
                new S3Metrics(requests))) {
            existing = ExistingObjects.list(engine, keys);
        }

        assertThat(listings(requests)).isEqualTo(1);
        assertThat(existing.presence("u/c/f")).isEqualTo(Presence.PRESENT);
        assertThat(List.of("u/a/f", "u/b/f", "u/d/f"))
                .allSatisfy(k -> assertThat(existing.presence(k)).as(k).isEqualTo(Presence.ABSENT));
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

    private static long listings(MeterRegistry requests) {
        return requests.find("ferry.s3.request").tag("operation", "ListObjectsV2").timers().stream()
                .mapToLong(Timer::count).sum();
    }

    private void put(String key, int size) {
        S3.server().client().putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromBytes(new byte[size]));
    }
}
