package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * A multipart upload survives its holder: the next copy of the file finds the upload left behind,
 * keeps every stored part that is the MD5 of the same range of the file, sends only the others, and
 * completes one correct object. "Left behind" is made two ways: a copy stopped between parts by its
 * task's stop signal (as on shutdown or a lost task), and parts stored directly with the SDK (as by a
 * worker killed in the middle), including parts that are not the file's.
 */
class ResumableUploadIT {
    static final int PART = 5 * 1024 * 1024;
    /** Eight parts of 5 MiB, the last one short. */
    static final int SIZE = 7 * PART + 123_456;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("resume-it");

    @TempDir
    Path source;

    @Test
    void aCopyStoppedBetweenPartsLeavesItsUploadAndTheNextCopySendsOnlyTheMissingParts() throws Exception {
        Path file = Files.write(source.resolve("big.bin"), Trees.randomBytes(SIZE, 1));
        AtomicInteger partsStarted = new AtomicInteger();
        StopSignal stopAfterThreeParts = () -> partsStarted.incrementAndGet() > 3;

        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), CopyHooks.NONE)) {
            assertThatThrownBy(() -> new FileCopier(engine, stopAfterThreeParts).copy("big.bin", file))
                    .isInstanceOf(CopyHalted.class);
        }
        assertThat(stored("big.bin")).as("no object before completion").isNull();
        List<MultipartUpload> left = uploads();
        assertThat(left).hasSize(1);
        assertThat(parts(left.get(0).uploadId())).as("the parts in flight finished").hasSize(3);

        FileOutcome outcome = copy(file);

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(outcome.partsReused()).isEqualTo(3);
        assertThat(outcome.partsUploaded()).isEqualTo(5);
        assertStoredWithItsMd5("big.bin", file);
        assertThat(uploads()).isEmpty();
    }

    @Test
    void partsOfAKilledHolderAreVerifiedAndOnlyTheMatchingOnesKept() throws Exception {
        byte[] content = Trees.randomBytes(SIZE, 2);
        Path file = Files.write(source.resolve("big.bin"), content);
        String uploadId = startUpload("big.bin");
        storePart("big.bin", uploadId, 1, range(content, 1));                       // right
        storePart("big.bin", uploadId, 2, Trees.randomBytes(PART, 99));              // right size, wrong bytes
        storePart("big.bin", uploadId, 3, range(content, 4));                       // another part's bytes
        storePart("big.bin", uploadId, 4, Arrays.copyOf(range(content, 4), 1024));  // torn: too short
        storePart("big.bin", uploadId, 5, range(content, 5));                       // right

        FileOutcome outcome = copy(file);

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(outcome.partsReused()).as("parts 1 and 5").isEqualTo(2);
        assertThat(outcome.partsUploaded()).isEqualTo(6);
        assertStoredWithItsMd5("big.bin", file);
        assertThat(uploads()).isEmpty();
    }

    @Test
    void partBuffersReusedAcrossPartsAndFilesCarryEachPartsOwnBytes() throws Exception {
        byte[] resumed = Trees.randomBytes(SIZE, 3);
        Path first = Files.write(source.resolve("first.bin"), resumed);
        uploadLeftWith("first.bin", resumed, 3);
        Path second = Files.write(source.resolve("second.bin"), Trees.randomBytes(SIZE, 4));

        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), CopyHooks.NONE)) {
            FileOutcome kept = new FileCopier(engine).copy("first.bin", first);
            FileOutcome sent = new FileCopier(engine).copy("second.bin", second);

            assertThat(kept.partsReused()).isEqualTo(3);
            assertThat(sent.partsUploaded()).isEqualTo(8);
            assertThat(engine.partBuffers.idleBytes()).as("full-size part buffers kept between parts")
                    .isPositive().isLessThanOrEqualTo(engine.budget.bytes() / 4);
        }
        assertStoredWithItsMd5("first.bin", first);
        assertStoredWithItsMd5("second.bin", second);
    }

    @Test
    void aFileRewrittenSinceTheUploadStartedKeepsNoneOfItsOldParts() throws Exception {
        byte[] old = Trees.randomBytes(SIZE, 3);
        Path file = source.resolve("big.bin");
        uploadLeftWith("big.bin", old, 4);
        Files.write(file, Trees.randomBytes(SIZE, 4));

        FileOutcome outcome = copy(file);

        assertThat(outcome.partsReused()).isZero();
        assertThat(outcome.partsUploaded()).isEqualTo(8);
        assertStoredWithItsMd5("big.bin", file);
        assertThat(uploads()).isEmpty();
    }

    @Test
    void aFileAppendedToSinceTheUploadStartedKeepsTheUnchangedLeadingParts() throws Exception {
        byte[] old = Trees.randomBytes(SIZE, 5);
        Path file = Files.write(source.resolve("log.bin"), old);
        uploadLeftWith("log.bin", old, 4);
        Files.write(file, Trees.randomBytes(2 * PART, 6), StandardOpenOption.APPEND);

        FileOutcome outcome = copy(file);

        assertThat(outcome.partsReused()).isEqualTo(4);
        assertThat(outcome.partsUploaded()).as("10 parts now").isEqualTo(6);
        assertStoredWithItsMd5("log.bin", file);
    }

    @Test
    void ofSeveralUploadsLeftForTheKeyOneIsResumedAndTheOthersAborted() throws Exception {
        // S3 lists the uploads of a key oldest first; S3Proxy's Initiated is the listing's time, so which
        // one is resumed here is not asserted: both hold the same two parts
        byte[] content = Trees.randomBytes(SIZE, 7);
        Path file = Files.write(source.resolve("big.bin"), content);
        for (int upload = 0; upload < 2; upload++) {
            String uploadId = startUpload("big.bin");
            storePart("big.bin", uploadId, 1, range(content, 1));
            storePart("big.bin", uploadId, 2, range(content, 2));
        }
        assertThat(uploads()).hasSize(2);

        FileOutcome outcome = copy(file);

        assertThat(outcome.partsReused()).isEqualTo(2);
        assertThat(outcome.partsUploaded()).isEqualTo(6);
        assertStoredWithItsMd5("big.bin", file);
        assertThat(uploads()).isEmpty();
    }

    @Test
    void anUploadCompletedFromTheSamePartsBeforeThisHoldersCompletionIsItsResult() throws Exception {
        // a killed holder's completion that the store finished only after the next holder had found the
        // upload and verified its parts: that holder's own completion then meets a 404
        byte[] content = Trees.randomBytes(SIZE, 9);
        Path file = Files.write(source.resolve("big.bin"), content);
        String uploadId = uploadLeftWith("big.bin", content, 8);
        CopyHooks earlierHolderCompletes = new CopyHooks() {
            @Override
            public void afterRead(Path read) {
                completeAsStored("big.bin", uploadId);
            }
        };

        FileOutcome outcome = copy(file, earlierHolderCompletes);

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(outcome.partsReused()).isEqualTo(8);
        assertThat(outcome.partsUploaded()).isZero();
        assertStoredWithItsMd5("big.bin", file);
        assertThat(uploads()).isEmpty();
    }

    @Test
    void anUploadAbortedBeforeThisHoldersCompletionIsStartedAgainNotFailed() throws Exception {
        byte[] content = Trees.randomBytes(SIZE, 10);
        Path file = Files.write(source.resolve("big.bin"), content);
        String uploadId = uploadLeftWith("big.bin", content, 3);
        AtomicInteger completions = new AtomicInteger();
        CopyHooks abortedOnce = new CopyHooks() {
            @Override
            public void afterRead(Path read) {
                if (completions.incrementAndGet() == 1) {
                    client().abortMultipartUpload(b -> b.bucket(S3.bucket()).key("big.bin").uploadId(uploadId));
                }
            }
        };

        FileOutcome outcome = copy(file, abortedOnce);

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(completions).as("the file was tried again").hasValue(2);
        assertThat(outcome.partsReused()).as("a new upload: nothing left to keep").isZero();
        assertThat(outcome.partsUploaded()).isEqualTo(8);
        assertStoredWithItsMd5("big.bin", file);
        assertThat(uploads()).isEmpty();
    }

    @Test
    void anObjectTheStoreAssembledFromOtherPartsThanTheFilesFailsVerification() throws Exception {
        // the answer to CompleteMultipartUpload names what the store assembled; it is checked in both modes
        byte[] md5 = Trees.md5(Trees.randomBytes(SIZE, 8));
        String fileParts = CompositeETag.of(List.of(Trees.md5(new byte[] {1}), Trees.md5(new byte[] {2})));
        String otherParts = CompositeETag.of(List.of(Trees.md5(new byte[] {1}), Trees.md5(new byte[] {3})));
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), dev.ferry.api.VerifyMode.Size,
                CopyHooks.NONE)) {
            Uploads.Stored assembled = new Uploads.Stored(SIZE, md5, true, null,
                    new Uploads.Parts(otherParts, fileParts, 2, 0));

            assertThat(new ObjectVerifier(engine).mismatch("never-read", assembled))
                    .contains("assembled").contains(otherParts).contains(fileParts);
        }
    }

    private FileOutcome copy(Path file) throws InterruptedException {
        return copy(file, CopyHooks.NONE);
    }

    private FileOutcome copy(Path file, CopyHooks hooks) throws InterruptedException {
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), hooks)) {
            return new FileCopier(engine).copy(source.relativize(file).toString(), file);
        }
    }

    private void assertStoredWithItsMd5(String key, Path file) throws Exception {
        byte[] content = Files.readAllBytes(file);
        assertThat(stored(key)).isEqualTo(content);
        HeadObjectResponse head = client().headObject(b -> b.bucket(S3.bucket()).key(key));
        assertThat(head.metadata())
                .containsEntry(ObjectMetadata.MD5, Base64.getEncoder().encodeToString(Trees.md5(content)))
                .containsEntry(ObjectMetadata.MTIME, ObjectMetadata.formatMtime(Files.getLastModifiedTime(file)));
    }

    /** Part n (1-based) of {@code content} cut in {@link #PART}s. */
    private static byte[] range(byte[] content, int n) {
        int from = (n - 1) * PART;
        return Arrays.copyOfRange(content, from, Math.min(content.length, from + PART));
    }

    /** An upload of {@code key} holding the first {@code parts} parts of {@code content}, as a holder left it. */
    private String uploadLeftWith(String key, byte[] content, int parts) {
        String uploadId = startUpload(key);
        for (int n = 1; n <= parts; n++) {
            storePart(key, uploadId, n, range(content, n));
        }
        return uploadId;
    }

    private String startUpload(String key) {
        return client().createMultipartUpload(b -> b.bucket(S3.bucket()).key(key)).uploadId();
    }

    private void storePart(String key, String uploadId, int n, byte[] data) {
        client().uploadPart(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId).partNumber(n)
                .contentLength((long) data.length), RequestBody.fromBytes(data));
    }

    /** Completes the upload with every part it holds, as the holder that stored them would have. */
    private void completeAsStored(String key, String uploadId) {
        List<CompletedPart> parts = client().listParts(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId)).parts()
                .stream().map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build()).toList();
        client().completeMultipartUpload(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
    }

    private List<MultipartUpload> uploads() {
        return client().listMultipartUploads(b -> b.bucket(S3.bucket())).uploads();
    }

    private List<Part> parts(String uploadId) {
        return client().listParts(b -> b.bucket(S3.bucket()).key("big.bin").uploadId(uploadId)).parts();
    }

    private byte[] stored(String key) {
        try {
            return client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    private static S3Client client() {
        return S3.server().client();
    }
}
