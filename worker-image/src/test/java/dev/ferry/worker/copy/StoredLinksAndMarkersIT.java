package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.VerifyMode;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Symbolic links ({@code symlinks: Store}) and empty directories ({@code emptyDirectories: Marker}) as
 * small objects: what is stored, skip-identical, a link that changes while it is read, Move.
 */
class StoredLinksAndMarkersIT {
    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("links-it");

    @TempDir
    Path source;

    @BeforeEach
    void tree() throws IOException {
        Trees.write(source, "docs/a.txt", "alpha".getBytes());
        Files.setLastModifiedTime(source.resolve("docs/a.txt"), FileTime.fromMillis(1_000_000_000_000L));
        Files.createDirectories(source.resolve("empty"));
    }

    @Test
    void aStoredLinkIsAnObjectWhoseBodyAndSymlinkTargetAreItsText() throws Exception {
        Path link = Files.createSymbolicLink(source.resolve("latest"), Path.of("docs/a.txt"));
        Path nonAscii = Files.createSymbolicLink(source.resolve("café"), Path.of("naïve dir/ü.txt"));

        try (CopyEngine engine = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum)) {
            FileCopier copier = new FileCopier(engine);
            assertThat(copier.copy(link(link), link).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy(link(nonAscii), nonAscii).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }

        assertThat(body("latest")).isEqualTo("docs/a.txt");
        Map<String, String> metadata = head("latest").metadata();
        Map<String, Object> lstat = Files.readAttributes(link, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        assertThat(metadata).containsEntry(ObjectMetadata.SYMLINK_TARGET, "docs/a.txt")
                .containsEntry(ObjectMetadata.MODE, Integer.toOctalString((Integer) lstat.get("mode")))
                .containsEntry(ObjectMetadata.UID, lstat.get("uid").toString())
                .containsEntry(ObjectMetadata.GID, lstat.get("gid").toString())
                .containsEntry(ObjectMetadata.MD5, base64Md5("docs/a.txt"));
        assertThat(metadata.get(ObjectMetadata.MODE)).as("the link's own mode").startsWith("120");
        assertThat(ObjectMetadata.sameMtime(metadata.get(ObjectMetadata.MTIME),
                Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS))).as("the link's own mtime").isTrue();
        assertThat(ObjectMetadata.sameMtime(metadata.get(ObjectMetadata.MTIME),
                Files.getLastModifiedTime(link))).as("not its target's").isFalse();

        assertThat(body("café")).isEqualTo("naïve dir/ü.txt");
        assertThat(head("café").metadata()).containsEntry(ObjectMetadata.SYMLINK_TARGET, "na%C3%AFve%20dir/%C3%BC.txt");
    }

    @Test
    void linksToDirectoriesDanglingLinksAndLinksOutOfTheSourceAreStoredNotFollowed() throws Exception {
        Path toDirectory = Files.createSymbolicLink(source.resolve("current"), Path.of("docs"));
        Path dangling = Files.createSymbolicLink(source.resolve("gone"), Path.of("does-not-exist"));
        Path outside = Files.createSymbolicLink(source.resolve("passwd"), Path.of("/etc/passwd"));

        try (CopyEngine engine = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum)) {
            FileCopier copier = new FileCopier(engine);
            for (Path link : List.of(toDirectory, dangling, outside)) {
                assertThat(copier.copy(link(link), link).kind()).as(link.toString()).isEqualTo(FileOutcome.Kind.COPIED);
            }
        }

        assertThat(body("current")).isEqualTo("docs");
        assertThat(body("gone")).isEqualTo("does-not-exist");
        assertThat(body("passwd")).isEqualTo("/etc/passwd");
        assertThat(keys()).containsExactly("current", "gone", "passwd");
    }

    @Test
    void anEmptyDirectoryIsAZeroByteMarkerWithTheDirectorysMetadata() throws Exception {
        Path empty = source.resolve("empty");
        Map<String, Object> stat = Files.readAttributes(empty, "unix:mode,uid,gid");

        try (CopyEngine engine = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum)) {
            assertThat(new FileCopier(engine).copy(marker("empty"), empty).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }

        assertThat(keys()).containsExactly("empty/");
        HeadObjectResponse head = head("empty/");
        assertThat(head.contentLength()).isZero();
        assertThat(head.metadata()).containsEntry(ObjectMetadata.MODE, Integer.toOctalString((Integer) stat.get("mode")))
                .containsEntry(ObjectMetadata.UID, stat.get("uid").toString())
                .containsEntry(ObjectMetadata.GID, stat.get("gid").toString())
                .doesNotContainKey(ObjectMetadata.SYMLINK_TARGET);
        assertThat(head.metadata().get(ObjectMetadata.MODE)).startsWith("40");
        assertThat(ObjectMetadata.sameMtime(head.metadata().get(ObjectMetadata.MTIME), Files.getLastModifiedTime(empty)))
                .isTrue();
    }

    @Test
    void ifDifferentSkipsAnIdenticalLinkOrMarkerInEitherVerifyModeAndRedoesAChangedLink() throws Exception {
        Path link = Files.createSymbolicLink(source.resolve("latest"), Path.of("docs/a.txt"));
        Path empty = source.resolve("empty");
        try (CopyEngine first = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum)) {
            new FileCopier(first).copy(link(link), link);
            new FileCopier(first).copy(marker("empty"), empty);
        }

        for (VerifyMode verify : VerifyMode.values()) {
            try (CopyEngine again = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, verify)) {
                ExistingObjects listed = ExistingObjects.list(again, List.of("latest", "empty/"));
                assertThat(listed.presence("empty/")).as("the marker is listed (as a prefix: its HEAD decides)")
                        .isNotEqualTo(ExistingObjects.Presence.ABSENT);
                FileCopier copier = new FileCopier(again);
                assertThat(copier.copy(link(link), link, listed).kind()).as(verify.name()).isEqualTo(FileOutcome.Kind.SKIPPED);
                assertThat(copier.copy(marker("empty"), empty, listed).kind()).as(verify.name())
                        .isEqualTo(FileOutcome.Kind.SKIPPED);
            }
        }

        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("docs/b.txt")); // same length, new text and mtime
        try (CopyEngine again = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum)) {
            assertThat(new FileCopier(again).copy(link(link), link).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }
        assertThat(body("latest")).isEqualTo("docs/b.txt");
    }

    @Test
    void anObjectWithTheLinksBytesThatIsNotAStoredLinkIsReplaced() throws Exception {
        Path link = Files.createSymbolicLink(source.resolve("latest"), Path.of("docs/a.txt"));
        byte[] text = "docs/a.txt".getBytes(StandardCharsets.UTF_8);
        // what a file of the link's text, with the link's mtime, stored earlier would look like
        Map<String, String> fileMetadata = ObjectMetadata.of(Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS),
                Uploads.md5().digest(text));
        S3.server().client().putObject(b -> b.bucket(S3.bucket()).key("latest").metadata(fileMetadata),
                RequestBody.fromBytes(text));

        try (CopyEngine engine = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum)) {
            assertThat(new FileCopier(engine).copy(link(link), link).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }
        assertThat(head("latest").metadata()).containsEntry(ObjectMetadata.SYMLINK_TARGET, "docs/a.txt");
    }

    @Test
    void aLinkChangedWhileItIsReadIsReadAgainAndOneThatKeepsChangingFails() throws Exception {
        Path link = Files.createSymbolicLink(source.resolve("moving"), Path.of("v1"));
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger repointFor = new AtomicInteger(1);
        CopyHooks repoint = new CopyHooks() {
            @Override
            public void afterRead(Path path) throws IOException {
                if (reads.incrementAndGet() <= repointFor.get()) {
                    Files.delete(path);
                    Files.createSymbolicLink(path, Path.of("v" + (reads.get() + 1)));
                }
            }
        };

        FileOutcome once;
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), MigrationMode.Copy,
                OverwritePolicy.Always, VerifyMode.Checksum, null, repoint)) {
            once = new FileCopier(engine).copy(link(link), link);
            reads.set(0);
            repointFor.set(Integer.MAX_VALUE);
            FileOutcome always = new FileCopier(engine).copy(link(link), link);
            assertThat(always.kind()).isEqualTo(FileOutcome.Kind.FAILED);
            assertThat(always.code()).isEqualTo(FailureCode.SOURCE_CHANGED);
        }

        assertThat(once.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(body("moving")).as("the version read the second time").isEqualTo("v2");
    }

    @Test
    void aLinkThatBecameAFileIsNotStoredAsALink() throws Exception {
        Path link = Files.createSymbolicLink(source.resolve("latest"), Path.of("docs/a.txt"));
        FileEntry planned = link(link);
        Files.delete(link);
        Files.writeString(link, "now a file");

        FileOutcome outcome;
        try (CopyEngine engine = engine(MigrationMode.Copy, OverwritePolicy.IfDifferent, VerifyMode.Checksum)) {
            outcome = new FileCopier(engine).copy(planned, link);
        }

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.FAILED);
        assertThat(outcome.code()).isEqualTo(FailureCode.NOT_A_REGULAR_FILE);
        assertThat(outcome.message()).contains("no longer a symbolic link");
        assertThat(keys()).isEmpty();
    }

    @Test
    void moveDeletesAStoredLinkOnlyOnceItsObjectIsVerifiedAndNeverADirectory() throws Exception {
        Path link = Files.createSymbolicLink(source.resolve("latest"), Path.of("docs/a.txt"));
        Path empty = source.resolve("empty");
        AtomicBoolean linkThereAtVerification = new AtomicBoolean();
        CopyHooks watch = new CopyHooks() {
            @Override
            public void beforeVerify(String key) {
                if (key.equals("latest")) {
                    linkThereAtVerification.set(Files.isSymbolicLink(link));
                }
            }
        };

        try (CopyEngine move = TestEngines.against(S3.server(), S3.bucket(), MigrationMode.Move,
                OverwritePolicy.IfDifferent, VerifyMode.Checksum, null, watch)) {
            FileCopier copier = new FileCopier(move);
            assertThat(copier.copy(link(link), link).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy(marker("empty"), empty).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }

        assertThat(linkThereAtVerification).isTrue();
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).as("the link is gone").isFalse();
        assertThat(source.resolve("docs/a.txt")).as("its target is not touched").hasContent("alpha");
        assertThat(empty).isDirectory();
        assertThat(body("latest")).isEqualTo("docs/a.txt");
        assertThat(keys()).containsExactly("empty/", "latest");
    }

    @Test
    void moveLeavesALinkRepointedAfterItWasCopied() throws Exception {
        Path link = Files.createSymbolicLink(source.resolve("latest"), Path.of("docs/a.txt"));
        CopyHooks repoint = new CopyHooks() {
            @Override
            public void beforeVerify(String key) {
                try {
                    Files.delete(link);
                    Files.createSymbolicLink(link, Path.of("docs/other.txt"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };

        FileOutcome outcome;
        try (CopyEngine move = TestEngines.against(S3.server(), S3.bucket(), MigrationMode.Move,
                OverwritePolicy.IfDifferent, VerifyMode.Checksum, null, repoint)) {
            outcome = new FileCopier(move).copy(link(link), link);
        }

        assertThat(outcome.code()).isEqualTo(FailureCode.SOURCE_NOT_DELETED);
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("docs/other.txt"));
        assertThat(body("latest")).as("the object holds the version read").isEqualTo("docs/a.txt");
    }

    private FileEntry link(Path link) throws IOException {
        String text = Files.readSymbolicLink(link).toString();
        FileEntry entry = new FileEntry(source.relativize(link).toString(), text.getBytes(StandardCharsets.UTF_8).length,
                Files.getLastModifiedTime(link, LinkOption.NOFOLLOW_LINKS).toMillis());
        entry.kind = EntryKind.Symlink;
        entry.linkTarget = text;
        return entry;
    }

    private FileEntry marker(String directory) throws IOException {
        FileEntry entry = new FileEntry(directory, 0, Files.getLastModifiedTime(source.resolve(directory)).toMillis());
        entry.kind = EntryKind.Directory;
        return entry;
    }

    private static CopyEngine engine(MigrationMode mode, OverwritePolicy overwrite, VerifyMode verify) {
        return TestEngines.against(S3.server(), S3.bucket(), mode, overwrite, verify, null, CopyHooks.NONE);
    }

    private static String body(String key) {
        return S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asUtf8String();
    }

    private static HeadObjectResponse head(String key) {
        return S3.server().client().headObject(b -> b.bucket(S3.bucket()).key(key));
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        S3.server().client().listObjectsV2Paginator(b -> b.bucket(S3.bucket())).contents().stream()
                .map(S3Object::key).forEach(keys::add);
        return keys;
    }

    private static String base64Md5(String text) {
        return java.util.Base64.getEncoder().encodeToString(Uploads.md5().digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
