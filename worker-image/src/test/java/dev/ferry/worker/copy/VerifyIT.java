package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FailureCode;
import dev.ferry.api.VerifyMode;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * {@code spec.verify} after each upload: the object is read back (size, and in Checksum mode the
 * recorded checksum) and a difference fails the file with VERIFY_MISMATCH and removes the object.
 * The difference is made through the copy path's seam, which replaces the object behind the worker's
 * back between the upload and the verification.
 */
class VerifyIT {
    static final int SMALL = 70_000;
    static final int MULTIPART = 6 * 1024 * 1024 + 4321;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("verify-it");

    @TempDir
    Path source;

    @ParameterizedTest
    @EnumSource(VerifyMode.class)
    void copiesSmallAndMultipartFilesWhoseObjectsProveIdentical(VerifyMode mode) throws Exception {
        for (int size : new int[] {SMALL, MULTIPART}) {
            Path file = Files.write(source.resolve("f" + size), Trees.randomBytes(size, size));

            FileOutcome outcome = copy(file, mode, CopyHooks.NONE);

            assertThat(outcome.kind()).as("%s bytes", size).isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(stored("f" + size)).isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void checksumModeFailsASinglePutTheStoreAnsweredWithAnotherMd5() throws Exception {
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), VerifyMode.Checksum, CopyHooks.NONE)) {
            byte[] md5 = Uploads.md5().digest(Trees.randomBytes(SMALL, 1));
            String otherMd5 = HexFormat.of().formatHex(Uploads.md5().digest(Trees.randomBytes(SMALL, 2)));

            String mismatch = new ObjectVerifier(engine).mismatch("any", new Uploads.Stored(SMALL, md5, false, '"' + otherMd5 + '"'));

            assertThat(mismatch).contains("ETag").contains(otherMd5);
        }
    }

    @Test
    void checksumModeVerifiesASinglePutFromItsAnswerWithoutAHead() throws Exception {
        // the PUT's ETag is the store's MD5 of the bytes it kept: an object replaced afterwards is not looked at
        Path file = Files.write(source.resolve("small.bin"), Trees.randomBytes(SMALL, 1));
        byte[] other = Trees.randomBytes(SMALL, 2);

        FileOutcome outcome = copy(file, VerifyMode.Checksum, replaceWith(other, false));

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(stored("small.bin")).isEqualTo(other);
    }

    @Test
    void checksumModeReadsMd5chksumWhenTheStoresETagIsNotAnMd5() throws Exception {
        // SSE-KMS and some gateways answer with opaque ETags: then one HEAD reads md5chksum
        Path file = Files.write(source.resolve("small.bin"), Trees.randomBytes(SMALL, 1));
        byte[] content = Files.readAllBytes(file);
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), VerifyMode.Checksum, CopyHooks.NONE)) {
            assertThat(new FileCopier(engine).copy("small.bin", file).kind()).isEqualTo(FileOutcome.Kind.COPIED);
            byte[] md5 = Uploads.md5().digest(content);
            byte[] otherMd5 = Uploads.md5().digest(Trees.randomBytes(SMALL, 2));
            ObjectVerifier verifier = new ObjectVerifier(engine);

            assertThat(verifier.mismatch("small.bin", new Uploads.Stored(SMALL, md5, false, "opaque-kms-etag"))).isNull();
            assertThat(verifier.mismatch("small.bin", new Uploads.Stored(SMALL, otherMd5, false, "opaque-kms-etag")))
                    .contains(ObjectMetadata.MD5);
        }
    }

    @Test
    void checksumModeFailsAMultipartObjectWhoseMd5chksumIsNotTheFilesMd5() throws Exception {
        Path file = Files.write(source.resolve("small.bin"), Trees.randomBytes(MULTIPART, 1));

        // a consistent object of another content: its md5chksum is right for its own bytes
        FileOutcome outcome = copy(file, VerifyMode.Checksum, replaceWith(Trees.randomBytes(MULTIPART, 2), true));

        assertFailedAndRemoved(outcome, ObjectMetadata.MD5);
    }

    @Test
    void sizeModeFailsAMultipartObjectOfAnotherSize() throws Exception {
        Path file = Files.write(source.resolve("big.bin"), Trees.randomBytes(MULTIPART, 1));

        FileOutcome outcome = copy(file, VerifyMode.Size, replaceWith(Trees.randomBytes(MULTIPART - 1, 1), true));

        assertFailedAndRemoved(outcome, "bytes");
    }

    @Test
    void sizeModeTrustsTheAnswerToASinglePutAndSendsNoHead() throws Exception {
        // the PUT was accepted with Content-Length and Content-MD5, which proves the size: no HEAD is
        // made, so an object replaced afterwards is not looked at
        Path file = Files.write(source.resolve("small.bin"), Trees.randomBytes(SMALL, 1));
        byte[] other = Trees.randomBytes(SMALL - 1, 1);

        FileOutcome outcome = copy(file, VerifyMode.Size, replaceWith(other, false));

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(stored("small.bin")).isEqualTo(other);
    }

    private void assertFailedAndRemoved(FileOutcome outcome, String naming) {
        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.FAILED);
        assertThat(outcome.code()).isEqualTo(FailureCode.VERIFY_MISMATCH);
        assertThat(outcome.message()).contains(naming);
        assertThat(stored(outcome.path())).as("the mismatching object is removed").isNull();
    }

    /** Puts {@code data} at the key once the worker stored its object (with md5chksum as a multipart object has it). */
    private CopyHooks replaceWith(byte[] data, boolean withMd5chksum) {
        return new CopyHooks() {
            @Override
            public void beforeVerify(String key) {
                Map<String, String> metadata = withMd5chksum
                        ? Map.of(ObjectMetadata.MD5, Base64.getEncoder().encodeToString(Uploads.md5().digest(data)))
                        : Map.of();
                S3.server().client().putObject(b -> b.bucket(S3.bucket()).key(key).metadata(metadata), RequestBody.fromBytes(data));
            }
        };
    }

    private FileOutcome copy(Path file, VerifyMode mode, CopyHooks hooks) throws InterruptedException {
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), mode, hooks)) {
            return new FileCopier(engine).copy(source.relativize(file).toString(), file);
        }
    }

    /** The object's bytes, or null when there is no object. */
    private byte[] stored(String key) {
        try {
            return S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }
}
