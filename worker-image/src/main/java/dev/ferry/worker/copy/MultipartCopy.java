package dev.ferry.worker.copy;

import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.multipart.PartLayout;
import dev.ferry.worker.multipart.StoredParts;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.source.SourceStat;
import dev.ferry.worker.task.StopSignal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The multipart upload of one file of a Copy task, resumable: a holder that took the task over from
 * one that crashed, was lost or shut down finds the upload the earlier one left (ListMultipartUploads
 * of the key), verifies each stored part against the file (ListParts: a part with the planned size
 * whose ETag is the MD5 of the same range of the file is kept) and sends only the others.
 *
 * <p><b>Which upload.</b> The oldest unfinished upload of the key; any others are aborted. That is
 * safe even when one belongs to a zombie (an earlier holder that lost the task but still runs):
 * completion lists each part's ETag, so the store assembles exactly the parts the completer verified
 * or sent, and a holder whose upload vanished or whose parts were replaced fails with NoSuchUpload or
 * InvalidPart, which makes it try the file again — and its next status write, fenced by epoch,
 * stops it. So an abort can cost a zombie its work, never tear an object.
 *
 * <p><b>Which version of the file.</b> S3 has no call that reads the metadata of an unfinished upload,
 * so "the upload belongs to this version of the file" is decided by content: every kept part is the
 * MD5 of the file's current bytes, read between the two stats that prove the file did not change. The
 * metadata given at creation ({@code mtime}, {@code md5chksum}: the file is hashed before the upload
 * is created) is final, so a resumed upload is checked after completion: if its {@code mtime} or
 * {@code md5chksum} are not this file's (the upload was started for another version), a copy of the
 * object onto itself replaces them ({@link Uploads#setWholeFileMd5}: CopyObject up to 5 GiB, a
 * multipart copy conditional on the object's ETag above).
 *
 * <p><b>When to abort.</b> On a definite failure of this file (it changed or shrank, it cannot be read,
 * the store refuses this object, its retries are used up: {@link #abandon}). Not when the file is
 * tried again or the task stops (shutdown, lost task, a failure of the store as a whole, an
 * interrupt): the upload stays for the next try or holder.
 */
final class MultipartCopy {
    private static final Logger LOG = LoggerFactory.getLogger(MultipartCopy.class);

    private final CopyEngine engine;
    private final StoredParts storedParts;
    private final StopSignal halt;
    private final TaskMotion motion;

    MultipartCopy(CopyEngine engine, StopSignal halt, TaskMotion motion) {
        this.engine = engine;
        this.storedParts = new StoredParts(engine.s3, engine.bucket);
        this.halt = halt;
        this.motion = motion;
    }

    /** What was stored, or null when the file changed while it was read (the caller reads it again). */
    Uploads.Stored put(Path file, String key, SourceStat before, long partSize) throws IOException, InterruptedException {
        PartLayout layout = PartLayout.of(before.size(), partSize);
        // The whole-file MD5 first, in a pass of its own, so that md5chksum is given when the upload is
        // created (as rclone does): setting it after completion needs a CopyObject of the object onto
        // itself, which a store performs as a full server-side copy (S3Proxy: read, write and hash every
        // byte again) and which adds a version in a versioned bucket.
        byte[] preHashed = Uploads.hash(engine, file, before, motion);
        if (preHashed == null) {
            return null;
        }
        Target target = findOrCreate(key, before, preHashed);
        boolean completed = false;
        boolean leave = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            PartWriter.Result result = new PartWriter(engine, key, target.uploadId, layout, halt, motion)
                    .store(channel, 1, layout.count(), target.parts, null);
            if (result.shrank()) {
                return null;
            }
            engine.hooks.afterRead(file);
            if (!SourceStat.of(file).sameVersionAs(before)) {
                return null;
            }
            String answered = complete(key, target.uploadId, result, preHashed);
            completed = true;
            byte[] md5 = preHashed;
            Uploads.Stored stored = new Uploads.Stored(before.size(), md5, true, null,
                    new Uploads.Parts(CompositeETag.unquoted(answered),
                            CompositeETag.ofAnswered(result.parts().values(), result.md5s()), result.uploaded(),
                            result.reused()));
            // an object assembled from other parts fails the caller's verification: no copy is spent on it
            if (target.resumed && ObjectVerifier.assemblyMismatch(stored) == null) {
                HeadObjectResponse head = engine.s3.callGateway(gateway -> gateway.headObject(engine.bucket, key));
                if (!metadataIsTheFiles(head, before, md5)) {
                    // the upload was started for another version of the file (its kept parts are this
                    // one's, checked by content): a copy of the object onto itself puts this version's
                    // metadata on, in this rare case only
                    LOG.info("{}: the resumed upload was started for another version of the file; replacing"
                            + " its metadata", key);
                    Uploads.setWholeFileMd5(engine, key, before, md5, head.eTag(), partSize);
                }
            }
            if (target.resumed) {
                LOG.info("{}: resumed upload {}: {} parts kept, {} sent", key, target.uploadId, result.reused(),
                        result.uploaded());
            }
            return stored;
        } catch (CopyHalted | InterruptedException e) {
            leave = true;
            throw e;
        } catch (SdkException e) {
            // Not a failure of this file (yet): the store failed (the file is tried again, or the task
            // waits for the store) and the next try resumes this upload; or the upload vanished under us
            // (a zombie holder, a lifecycle rule: UPLOAD_LOST), and the next try finds or starts another.
            // A file that fails for good has its uploads abandoned by the copier.
            leave = S3Errors.classify(e).retryable();
            throw e;
        } finally {
            if (!completed && !leave) {
                abort(key, target.uploadId);
            }
        }
    }

    /**
     * Completes the upload with the parts this holder verified or sent; returns the ETag of what the store
     * assembled. A 404 means the upload is gone since this holder found it. Most often it was completed from
     * these very parts: by an earlier holder that sent its completion and died before it recorded the file
     * (the store finishes the request; assembling 1 GiB takes it seconds, long enough for the next holder to
     * list the upload and verify its parts), or by this holder's own completion whose answer was lost and
     * which the client sent again. Then the key holds an object whose ETag is these parts' (the MD5s of the
     * same ranges of this file) or, on a store that keeps the MD5 of the whole object as its ETag (S3Proxy's
     * filesystem store), this file's MD5: that object is this copy's result, assembled from these parts.
     * Otherwise the upload was lost (aborted, or completed from other parts) and the file is tried again
     * ({@code NoSuchUpload}, whatever code the store gave its 404: S3Proxy's filesystem store answers
     * {@code NoSuchKey}, which alone would fail the file).
     */
    private String complete(String key, String uploadId, PartWriter.Result result, byte[] fileMd5) {
        try {
            return engine.s3.call(s3 -> s3.completeMultipartUpload(b -> b.bucket(engine.bucket).key(key)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(result.parts().values())))).eTag();
        } catch (SdkException e) {
            if (!StoredParts.isNoSuchUpload(e)) {
                throw e;
            }
            String theseParts = CompositeETag.ofAnswered(result.parts().values(), result.md5s());
            Optional<String> stored = eTagOf(key).map(CompositeETag::unquoted);
            if (stored.isPresent() && (stored.get().equals(theseParts)
                    || stored.get().equalsIgnoreCase(HexFormat.of().formatHex(fileMd5)))) {
                LOG.info("{}: upload {} was completed from the same parts before this holder's completion", key, uploadId);
                return theseParts;
            }
            throw S3Exception.builder().statusCode(404).cause(e)
                    .message(key + ": upload " + uploadId + " vanished before its completion; the key holds "
                            + stored.map(eTag -> "another object (ETag " + eTag + ")").orElse("no object"))
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("NoSuchUpload").serviceName("S3")
                            .errorMessage("upload vanished before its completion").build())
                    .build();
        }
    }

    private Optional<String> eTagOf(String key) {
        try {
            return Optional.of(engine.s3.callGateway(gateway -> gateway.headObject(engine.bucket, key)).eTag());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The upload to continue (the oldest one of the key, others aborted) or a new one. */
    private Target findOrCreate(String key, SourceStat before, byte[] preHashed) {
        List<StoredParts.Upload> uploads = storedParts.uploadsOf(key);
        for (StoredParts.Upload upload : uploads) {
            if (upload != uploads.get(0)) {
                LOG.info("{}: aborting upload {}, another than the one resumed", key, upload.uploadId());
                abort(key, upload.uploadId());
            }
        }
        if (!uploads.isEmpty()) {
            String uploadId = uploads.get(0).uploadId();
            try {
                Map<Integer, StoredParts.StoredPart> parts = storedParts.partsOf(key, uploadId);
                return new Target(uploadId, parts == null ? Map.of() : parts, true);
            } catch (SdkException e) {
                if (!StoredParts.isNoSuchUpload(e)) {
                    throw e;
                }
                LOG.info("{}: upload {} vanished while listed; starting a new one", key, uploadId);
            }
        }
        String uploadId = engine.s3.call(s3 -> s3.createMultipartUpload(b -> b.bucket(engine.bucket).key(key)
                .metadata(engine.metadataOf(before, preHashed))
                .storageClass(engine.storageClass))).uploadId();
        return new Target(uploadId, Map.of(), false);
    }

    private static boolean metadataIsTheFiles(HeadObjectResponse head, SourceStat before, byte[] md5) {
        Map<String, String> metadata = head.metadata();
        return ObjectMetadata.sameMtime(metadata.get(ObjectMetadata.MTIME), before.mtime())
                && Base64.getEncoder().encodeToString(md5).equals(metadata.get(ObjectMetadata.MD5));
    }

    /** Aborts every unfinished upload of {@code key} (the file failed for good); best effort. */
    void abandon(String key) {
        try {
            for (StoredParts.Upload upload : storedParts.uploadsOf(key)) {
                LOG.info("{}: aborting upload {}: the file failed", key, upload.uploadId());
                abort(key, upload.uploadId());
            }
        } catch (SdkException e) {
            LOG.warn("could not list the uploads of {} to abort them: {}", key, e.toString());
        }
    }

    private void abort(String key, String uploadId) {
        Uploads.abort(engine, key, uploadId);
    }

    /** The upload the parts go to and what it already holds. */
    private record Target(String uploadId, Map<Integer, StoredParts.StoredPart> parts, boolean resumed) {
    }
}
