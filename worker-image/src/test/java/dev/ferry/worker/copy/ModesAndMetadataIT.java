package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.FailureCode;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.VerifyMode;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code mode: Move} deletes a source only once its object is verified and only if it is still the
 * version read; {@code Sync} copies only new or changed files; {@code verify: Checksum} compares
 * content before skipping; objects carry mtime, mode, uid and gid; uploads keep the bandwidth limit.
 */
class ModesAndMetadataIT {
    private static final int SMALL = 64 << 10;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("modes-it");

    @TempDir
    Path source;

    @Test
    void moveDeletesTheSourceOnceItsObjectIsVerified() throws Exception {
        Path small = Files.write(source.resolve("small"), Trees.randomBytes(SMALL, 1));
        Path big = Files.write(source.resolve("big"), Trees.randomBytes(12 << 20, 2));
        byte[] smallBytes = Files.readAllBytes(small);
        byte[] bigBytes = Files.readAllBytes(big);

        try (CopyEngine engine = engine(MigrationMode.Move, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            FileCopier copier = new FileCopier(engine);
            assertThat(copier.copy("small", small).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy("big", big).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }

        assertThat(small).doesNotExist();
        assertThat(big).doesNotExist();
        assertThat(stored("small")).isEqualTo(smallBytes);
        assertThat(stored("big")).isEqualTo(bigBytes);
    }

    @Test
    void moveLeavesAFileThatChangedAfterItWasCopied() throws Exception {
        Path file = Files.write(source.resolve("growing"), Trees.randomBytes(SMALL, 3));
        byte[] read = Files.readAllBytes(file);
        CopyHooks appendAfterUpload = beforeVerify(key -> Files.write(file, new byte[] {1, 2, 3}, StandardOpenOption.APPEND));

        FileOutcome outcome;
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), MigrationMode.Move,
                OverwritePolicy.IfDifferent, VerifyMode.Checksum, null, appendAfterUpload)) {
            outcome = new FileCopier(engine).copy("growing", file);
        }

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.FAILED);
        assertThat(outcome.code()).isEqualTo(FailureCode.SOURCE_NOT_DELETED);
        assertThat(file).exists().hasSize(SMALL + 3);
        assertThat(stored("growing")).as("the object holds the version read").isEqualTo(read);
    }

    @Test
    void moveDeletesAFileWhoseHardLinkCountChangedAfterItWasReadButNotOneRewrittenUnderItsOldMtime() throws Exception {
        Path linked = Files.write(source.resolve("linked"), Trees.randomBytes(SMALL, 7));
        Path rewritten = Files.write(source.resolve("rewritten"), Trees.randomBytes(SMALL, 8));
        byte[] readBytes = Files.readAllBytes(rewritten);
        CopyHooks afterUpload = beforeVerify(key -> {
            if (key.equals("linked")) {
                // what a Move deleting another name of this file does: only the ctime moves
                Files.createLink(source.resolve("another-name"), linked);
                Files.delete(source.resolve("another-name"));
            } else {
                FileTime mtime = Files.getLastModifiedTime(rewritten);
                Files.write(rewritten, Trees.randomBytes(SMALL, 9));
                Files.setLastModifiedTime(rewritten, mtime);
            }
        });

        FileOutcome linkedOutcome;
        FileOutcome rewrittenOutcome;
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), MigrationMode.Move,
                OverwritePolicy.IfDifferent, VerifyMode.Checksum, null, afterUpload)) {
            linkedOutcome = new FileCopier(engine).copy("linked", linked);
            rewrittenOutcome = new FileCopier(engine).copy("rewritten", rewritten);
        }

        assertThat(linkedOutcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(linked).as("its bytes are still the object's").doesNotExist();
        assertThat(rewrittenOutcome.code()).isEqualTo(FailureCode.SOURCE_NOT_DELETED);
        assertThat(rewritten).as("same size and mtime, other bytes").exists();
        assertThat(stored("rewritten")).as("the object holds the version read").isEqualTo(readBytes);
    }

    @Test
    void moveDeletesASourceWhoseObjectIsAlreadyThereWithTheSameContent() throws Exception {
        Path file = Files.write(source.resolve("done-before"), Trees.randomBytes(SMALL, 4));
        try (CopyEngine copy = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            assertThat(new FileCopier(copy).copy("done-before", file).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }

        FileOutcome outcome;
        try (CopyEngine move = engine(MigrationMode.Move, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            outcome = new FileCopier(move).copy("done-before", file);
        }

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
        assertThat(outcome.message()).contains("MD5");
        assertThat(file).doesNotExist();
    }

    @Test
    void checksumModeCopiesAFileWhoseObjectHasItsSizeAndMtimeButOtherBytes() throws Exception {
        Path file = Files.write(source.resolve("same-looking"), Trees.randomBytes(SMALL, 5));
        FileTime mtime = Files.getLastModifiedTime(file);
        byte[] other = Trees.randomBytes(SMALL, 6);
        S3.server().client().putObject(b -> b.bucket(S3.bucket()).key("same-looking")
                .metadata(ObjectMetadata.of(mtime, Uploads.md5().digest(other))), RequestBody.fromBytes(other));

        try (CopyEngine sizeOnly = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Size, null)) {
            assertThat(new FileCopier(sizeOnly).copy("same-looking", file).kind())
                    .as("Size trusts size and mtime").isEqualTo(FileOutcome.Kind.SKIPPED);
        }
        try (CopyEngine checksum = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            assertThat(new FileCopier(checksum).copy("same-looking", file).kind())
                    .as("Checksum reads the file and finds another MD5").isEqualTo(FileOutcome.Kind.COPIED);
        }
        assertThat(stored("same-looking")).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void syncSkipsWhatAnotherToolStoredWithTheFilesMtimeWhenItsSinglePutETagIsTheFilesMd5() throws Exception {
        Path same = Files.write(source.resolve("by-rclone"), Trees.randomBytes(SMALL, 11));
        Path other = Files.write(source.resolve("by-rclone-other"), Trees.randomBytes(SMALL, 12));
        // as rclone stores a file: one PUT with its mtime, no md5chksum (the ETag is the MD5)
        for (Path file : List.of(same, other)) {
            byte[] body = file == same ? Files.readAllBytes(file) : Trees.randomBytes(SMALL, 13);
            Map<String, String> mtimeOnly = Map.of(ObjectMetadata.MTIME,
                    ObjectMetadata.formatMtime(Files.getLastModifiedTime(file)));
            S3.server().client().putObject(b -> b.bucket(S3.bucket()).key(file.getFileName().toString())
                    .metadata(mtimeOnly), RequestBody.fromBytes(body));
        }

        TaskMotion motion = new TaskMotion(java.time.Clock.systemUTC());
        try (CopyEngine sync = engine(MigrationMode.Sync, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            FileCopier copier = new FileCopier(sync, StopSignal.NEVER, motion);
            FileOutcome skipped = copier.copy("by-rclone", same);
            assertThat(skipped.kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
            assertThat(motion.bytesMoved()).as("reading the file for its MD5 moves the task (stallTimeout)")
                    .isEqualTo(SMALL);
            assertThat(skipped.object().md5Hex()).isEqualTo(HexFormat.of().formatHex(Uploads.md5().digest(
                    Files.readAllBytes(same))));
            assertThat(copier.copy("by-rclone-other", other).kind()).as("same size and mtime, other bytes")
                    .isEqualTo(FileOutcome.Kind.COPIED);
        }
        assertThat(stored("by-rclone-other")).isEqualTo(Files.readAllBytes(other));
    }

    @Test
    void aSyncSkipsAFileUnchangedSinceItsObjectWithoutReadingItAndReadsOneWhoseCtimeMoved() throws Exception {
        Path untouched = Files.write(source.resolve("untouched"), Trees.randomBytes(SMALL, 14));
        Path chmodded = Files.write(source.resolve("chmodded"), Trees.randomBytes(SMALL, 15));
        Path rewritten = Files.write(source.resolve("rewritten"), Trees.randomBytes(SMALL, 16));
        Path fresh = source.resolve("fresh");
        Thread.sleep(2100); // the ctime of a version is recorded once it has settled (2 s)
        Files.write(fresh, Trees.randomBytes(SMALL, 17));
        try (CopyEngine copy = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            FileCopier copier = new FileCopier(copy);
            for (Path file : List.of(untouched, chmodded, rewritten, fresh)) {
                assertThat(copier.copy(file.getFileName().toString(), file).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            }
        }
        assertThat(S3.server().client().headObject(b -> b.bucket(S3.bucket()).key("untouched")).metadata())
                .containsKey(ObjectMetadata.CTIME);
        assertThat(S3.server().client().headObject(b -> b.bucket(S3.bucket()).key("fresh")).metadata())
                .as("written just before it was read").doesNotContainKey(ObjectMetadata.CTIME);
        Files.setPosixFilePermissions(chmodded, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        FileTime mtime = Files.getLastModifiedTime(rewritten);
        Files.write(rewritten, Trees.randomBytes(SMALL, 18)); // rewritten in place under its old mtime
        Files.setLastModifiedTime(rewritten, mtime);

        TaskMotion motion = new TaskMotion(java.time.Clock.systemUTC());
        try (CopyEngine sync = engine(MigrationMode.Sync, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            FileCopier copier = new FileCopier(sync, StopSignal.NEVER, motion);
            assertThat(copier.copy("untouched", untouched).kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
            assertThat(motion.bytesMoved()).as("unchanged since its object was made: not read").isZero();
            assertThat(copier.copy("chmodded", chmodded).kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
            assertThat(motion.bytesMoved()).as("its ctime moved: read for its MD5").isEqualTo(SMALL);
            assertThat(copier.copy("fresh", fresh).kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
            assertThat(motion.bytesMoved()).as("no ctime recorded: read").isEqualTo(2L * SMALL);
            assertThat(copier.copy("rewritten", rewritten).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }
        assertThat(stored("rewritten")).isEqualTo(Files.readAllBytes(rewritten));
    }

    @Test
    void syncCopiesOnlyNewAndChangedFilesWhateverOverwriteSays() throws Exception {
        Path kept = Files.write(source.resolve("kept"), Trees.randomBytes(SMALL, 7));
        Path changed = Files.write(source.resolve("changed"), Trees.randomBytes(SMALL, 8));
        try (CopyEngine first = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            new FileCopier(first).copy("kept", kept);
            new FileCopier(first).copy("changed", changed);
        }
        Files.write(changed, Trees.randomBytes(SMALL, 9));
        Files.setLastModifiedTime(changed, FileTime.fromMillis(Files.getLastModifiedTime(changed).toMillis() + 5000));
        Path added = Files.write(source.resolve("added"), Trees.randomBytes(SMALL, 10));

        try (CopyEngine sync = engine(MigrationMode.Sync, OverwritePolicy.Always, VerifyMode.Checksum, null)) {
            FileCopier copier = new FileCopier(sync);
            assertThat(copier.copy("kept", kept).kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
            assertThat(copier.copy("changed", changed).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy("added", added).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }
        assertThat(stored("changed")).isEqualTo(Files.readAllBytes(changed));
    }

    @Test
    void objectsCarryMtimeModeUidAndGid() throws Exception {
        Path file = Files.write(source.resolve("owned"), Trees.randomBytes(SMALL, 11));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Map<String, Object> unix = Files.readAttributes(file, "unix:uid,gid,mode");

        try (CopyEngine engine = engine(MigrationMode.Copy, OverwritePolicy.Always, VerifyMode.Checksum, null)) {
            new FileCopier(engine).copy("owned", file);
        }

        Map<String, String> metadata = S3.server().client()
                .headObject(b -> b.bucket(S3.bucket()).key("owned")).metadata();
        assertThat(metadata).containsEntry(ObjectMetadata.MODE, "100640")
                .containsEntry(ObjectMetadata.UID, unix.get("uid").toString())
                .containsEntry(ObjectMetadata.GID, unix.get("gid").toString())
                .containsEntry(ObjectMetadata.MD5, Base64.getEncoder().encodeToString(
                        Uploads.md5().digest(Files.readAllBytes(file))));
        assertThat(ObjectMetadata.sameMtime(metadata.get(ObjectMetadata.MTIME), Files.getLastModifiedTime(file))).isTrue();
    }

    @Test
    void withoutPosixAttributesObjectsCarryOnlyMtimeAndMd5AndAreStillSkippedWhenTheFileIsUnchanged() throws Exception {
        Path small = Files.write(source.resolve("plain"), Trees.randomBytes(SMALL, 12));
        Path big = Files.write(source.resolve("plain-big"), Trees.randomBytes(12 << 20, 13));

        try (CopyEngine engine = TestEngines.withoutPosixAttributes(S3.server(), S3.bucket())) {
            FileCopier copier = new FileCopier(engine);
            assertThat(copier.copy("plain", small).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy("plain-big", big).kind()).as("in parts").isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy("plain", small).kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
            assertThat(copier.copy("plain-big", big).kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
        }

        for (String key : new String[] {"plain", "plain-big"}) {
            Map<String, String> metadata = S3.server().client().headObject(b -> b.bucket(S3.bucket()).key(key)).metadata();
            assertThat(metadata).as(key).containsOnlyKeys(ObjectMetadata.MTIME, ObjectMetadata.MD5);
        }
        assertThat(stored("plain-big")).isEqualTo(Files.readAllBytes(big));
    }

    @Test
    void uploadsKeepTheBandwidthLimit() throws Exception {
        for (int i = 0; i < 3; i++) {
            Files.write(source.resolve("limited-" + i), Trees.randomBytes(2 << 20, 20 + i));
        }
        long start = System.nanoTime();
        try (CopyEngine engine = engine(MigrationMode.Copy, OverwritePolicy.Always, VerifyMode.Checksum, "2Mi")) {
            FileCopier copier = new FileCopier(engine);
            for (int i = 0; i < 3; i++) {
                assertThat(copier.copy("limited-" + i, source.resolve("limited-" + i)).kind())
                        .isEqualTo(FileOutcome.Kind.COPIED);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        // 6 MiB at 2 MiB/s, the first 2 MiB from the bucket: at least 2 s
        assertThat(seconds).isGreaterThanOrEqualTo(1.95);
    }

    @Test
    void marksEachMigratedFileWithItsObjectWhenTheJobAsks() throws Exception {
        Assumptions.assumeTrue(userXattrs(source), "the filesystem of " + source + " has no user extended attributes");
        Path copied = Files.write(source.resolve("marked"), Trees.randomBytes(SMALL, 7));
        Path big = Files.write(source.resolve("marked-big"), Trees.randomBytes(12 << 20, 8));
        Path unchanged = Files.write(source.resolve("already-there"), Trees.randomBytes(SMALL, 9));
        try (CopyEngine plain = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum, null)) {
            new FileCopier(plain).copy("already-there", unchanged);
        }
        assertThat(MigratedMarks.read(unchanged)).as("a job that does not ask marks nothing").isNull();

        try (CopyEngine marking = TestEngines.marking(S3.server(), S3.bucket(), "uid-1")) {
            FileCopier copier = new FileCopier(marking);
            assertThat(copier.copy("marked", copied).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy("marked-big", big).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy("already-there", unchanged).kind()).isEqualTo(FileOutcome.Kind.SKIPPED);
        }

        String eTag = S3.server().client().headObject(b -> b.bucket(S3.bucket()).key("marked")).eTag().replace("\"", "");
        JsonNode mark = new ObjectMapper().readTree(MigratedMarks.read(copied));
        assertThat(mark.path("key").asText()).isEqualTo("marked");
        assertThat(mark.path("etag").asText()).isEqualTo(eTag);
        assertThat(mark.path("job").asText()).isEqualTo("uid-1");
        assertThat(mark.path("time").asText()).isNotEmpty();
        assertThat(new ObjectMapper().readTree(MigratedMarks.read(big)).path("key").asText()).isEqualTo("marked-big");
        assertThat(MigratedMarks.read(unchanged)).as("skipped as identical: its object holds it").contains("already-there");
        assertThat(Files.readAllBytes(copied)).as("the content is untouched").isEqualTo(Trees.randomBytes(SMALL, 7));
    }

    @Test
    void aFileThatCannotBeMarkedStaysMigrated() {
        MigratedMarks marks = new MigratedMarks("uid-1", java.time.Clock.systemUTC());

        assertThat(marks.mark(source.resolve("gone"), "gone", null)).isFalse();
        assertThat(marks.unmarked()).isEqualTo(1);
    }

    private static boolean userXattrs(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, "xattr", ".probe");
            try {
                java.nio.file.attribute.UserDefinedFileAttributeView view =
                        Files.getFileAttributeView(probe, java.nio.file.attribute.UserDefinedFileAttributeView.class);
                if (view == null) {
                    return false;
                }
                view.write("ferry.probe", java.nio.ByteBuffer.wrap(new byte[] {1}));
                return true;
            } finally {
                Files.delete(probe);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static CopyEngine engine(MigrationMode mode, OverwritePolicy overwrite, VerifyMode verify, String limit) {
        return TestEngines.against(S3.server(), S3.bucket(), mode, overwrite, verify, limit, CopyHooks.NONE);
    }

    private static byte[] stored(String key) {
        return S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asByteArray();
    }

    /** What a test does to the source between the upload and the verification of the object with this key. */
    private interface SourceChange {
        void apply(String key) throws IOException;
    }

    private static CopyHooks beforeVerify(SourceChange change) {
        return new CopyHooks() {
            @Override
            public void beforeVerify(String key) {
                try {
                    change.apply(key);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
