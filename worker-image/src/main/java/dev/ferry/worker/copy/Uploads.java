package dev.ferry.worker.copy;

import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.multipart.PartSizes;
import dev.ferry.worker.multipart.StoredParts;
import dev.ferry.worker.source.SourceStat;
import dev.ferry.worker.task.StopSignal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Moves the bytes of one file to its key, so that the object appears only complete:
 * <ul>
 *   <li>up to {@link PartSizes#singlePut the single-PUT size} (the part size when configured, else
 *       64 MiB): one PutObject of the file read into memory, with Content-MD5;</li>
 *   <li>larger: a multipart upload ({@link MultipartCopy}), resumed when an earlier holder left one.
 *       One reader (the file's thread) reads the (offset, length) ranges in order with positional
 *       reads, feeding the whole-file MD5 and handing each part to the part threads, which upload them
 *       concurrently with their own Content-MD5 (at most {@code concurrency} parts of a file in flight,
 *       and the worker's byte budget overall). The upload is completed only when every part is stored
 *       and the file did not change meanwhile; otherwise it is aborted — except when the task stops
 *       (shutdown, lost task, store failure): then it stays for the next holder.</li>
 * </ul>
 * S3 takes metadata when a multipart upload is created, so the whole-file MD5 ({@code md5chksum}) is
 * computed first in a pass of its own, as rclone does (see {@link MultipartCopy}). Only objects of Parts
 * tasks, whose upload the plan creates, get it afterwards by a metadata-replacing copy of the object onto
 * itself ({@link #setWholeFileMd5}: CopyObject up to 5 GiB, a multipart copy above). An object without
 * md5chksum is not taken as identical by the overwrite check, so it is redone.
 *
 * <p>{@link #upload} returns what was stored, or null when the source changed while read (size,
 * mtime, ctime, inode).
 */
public final class Uploads {
    private static final Logger LOG = LoggerFactory.getLogger(Uploads.class);
    /** The largest object S3's CopyObject copies; larger ones are copied in parts ({@link SelfCopy}). */
    static final long COPY_OBJECT_LIMIT = PartSizes.S3_PART_MAX;

    private final CopyEngine engine;
    private final MultipartCopy multipart;
    private final TaskMotion motion;

    /**
     * What an upload stored: the file's size and whole-file MD5, in one PUT or in parts, and for a
     * single PUT the ETag the store answered with (the MD5 it computed of the bytes it kept).
     */
    public record Stored(long size, byte[] md5, boolean multipart, String putETag, Parts parts) {
        public Stored(long size, byte[] md5, boolean multipart, String putETag) {
            this(size, md5, multipart, putETag, null);
        }

        public Stored(long size, byte[] md5, boolean multipart) {
            this(size, md5, multipart, null, null);
        }

        int partsUploaded() {
            return parts == null ? 0 : parts.uploaded();
        }

        int partsReused() {
            return parts == null ? 0 : parts.reused();
        }
    }

    /**
     * How a multipart object was assembled: the ETag the store answered CompleteMultipartUpload with,
     * the composite ETag the file's parts give ({@link CompositeETag}), parts sent and parts kept.
     */
    public record Parts(String completedETag, String compositeETag, int uploaded, int reused) {
    }

    public Uploads(CopyEngine engine) {
        this(engine, StopSignal.NEVER, TaskMotion.untracked());
    }

    /**
     * Uploads whose multipart copies stop between parts when {@code halt} says so, counting the bytes
     * they read and send into {@code motion}.
     */
    public Uploads(CopyEngine engine, StopSignal halt, TaskMotion motion) {
        this.engine = engine;
        this.motion = motion;
        this.multipart = new MultipartCopy(engine, halt, motion);
    }

    Stored upload(Path file, String key, SourceStat before) throws IOException, InterruptedException {
        if (PartSizes.singlePut(before.size(), engine.configuredPartSize)) {
            return putSingle(file, key, before);
        }
        return multipart.put(file, key, before, PartSizes.partSize(before.size(), engine.configuredPartSize));
    }

    private Stored putSingle(Path file, String key, SourceStat before) throws IOException, InterruptedException {
        int size = (int) before.size();
        try (ByteBudget.Lease ignored = engine.budget.acquire(size);
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] data = new byte[size];
            engine.hooks.beforeRead(file);
            if (!PartWriter.readFully(channel, 0, data)) {
                return null;
            }
            motion.bytes(size);
            engine.hooks.afterRead(file);
            if (!unchanged(file, before)) {
                return null;
            }
            byte[] md5 = md5().digest(data);
            String md5Base64 = Base64.getEncoder().encodeToString(md5);
            engine.bandwidth.acquire(size, motion::bytes);
            Map<String, String> metadata = engine.metadataOf(before, md5);
            String eTag = engine.s3.callGateway(s3 -> s3.putObject(engine.bucket, key, data, md5Base64, metadata,
                    engine.storageClass));
            motion.bytes(size);
            return new Stored(size, md5, false, eTag);
        }
    }

    /**
     * Aborts every unfinished multipart upload of {@code key}: the file failed for good (its retries
     * used up), so nothing will complete the parts it left.
     */
    void abandonUploadsOf(String key) {
        multipart.abandon(key);
    }

    /**
     * One PUT of bytes made up in memory (a stored link's text, a directory marker's nothing) with their
     * Content-MD5 and {@code metadata}, which must hold their md5chksum.
     */
    Stored putBytes(String key, byte[] data, byte[] md5, Map<String, String> metadata) throws InterruptedException {
        engine.bandwidth.acquire(data.length, motion::bytes);
        String md5Base64 = Base64.getEncoder().encodeToString(md5);
        String eTag = engine.s3.callGateway(s3 -> s3.putObject(engine.bucket, key, data, md5Base64, metadata,
                engine.storageClass));
        motion.bytes(data.length);
        return new Stored(data.length, md5, false, eTag);
    }

    /**
     * Replaces the metadata of the object at {@code key} (the file {@code before}, as many bytes) by the
     * full set including md5chksum; the data is not copied through us. Up to
     * {@link CopyEngine#copyObjectLimit} (5 GiB) by a CopyObject onto itself; above it by a multipart
     * copy onto itself ({@link SelfCopy}) in parts of {@code partSize} where valid, conditional on the
     * object still being {@code eTag} (a 412, {@link SelfCopy#isConflict}, when it is not).
     */
    public static void setWholeFileMd5(CopyEngine engine, String key, SourceStat before, byte[] md5, String eTag,
                                long partSize) throws InterruptedException {
        Map<String, String> metadata = engine.metadataOf(before, md5);
        if (before.size() > engine.copyObjectLimit) {
            SelfCopy.replaceMetadata(engine, key, eTag, before.size(), partSize, metadata);
            return;
        }
        engine.s3.call(s3 -> s3.copyObject(b -> b.sourceBucket(engine.bucket).sourceKey(key)
                .destinationBucket(engine.bucket).destinationKey(key)
                .metadataDirective(MetadataDirective.REPLACE)
                .metadata(metadata)
                .storageClass(engine.storageClass)));
    }

    /** The MD5 of the whole file in a pass of its own; null when the file changed meanwhile. */
    static byte[] hash(CopyEngine engine, Path file, SourceStat before, TaskMotion motion)
            throws IOException, InterruptedException {
        MessageDigest digest = md5();
        int chunk = 8 << 20;
        try (ByteBudget.Lease ignored = engine.budget.acquire(chunk);
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] data = new byte[chunk];
            engine.hooks.beforeRead(file);
            for (long offset = 0; offset < before.size(); offset += chunk) {
                int length = (int) Math.min(chunk, before.size() - offset);
                ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
                if (!PartWriter.readFully(channel, offset, buffer)) {
                    return null;
                }
                motion.bytes(length);
                digest.update(data, 0, length);
            }
        }
        return unchanged(file, before) ? digest.digest() : null;
    }

    /** The object at {@code key} as a HEAD sees it; null when there is none (404). */
    public static HeadObjectResponse headOrNull(CopyEngine engine, String key) {
        try {
            return engine.s3.callGateway(gateway -> gateway.headObject(engine.bucket, key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** Aborts an upload: true when it is aborted or was gone already, false when the store would not (logged). */
    public static boolean abort(CopyEngine engine, String key, String uploadId) {
        try {
            engine.s3.call(s3 -> s3.abortMultipartUpload(b -> b.bucket(engine.bucket).key(key).uploadId(uploadId)));
            return true;
        } catch (RuntimeException e) {
            if (StoredParts.isNoSuchUpload(e)) {
                return true;
            }
            LOG.warn("could not abort multipart upload {} of {}: {}", uploadId, key, e.toString());
            return false;
        }
    }

    private static boolean unchanged(Path file, SourceStat before) throws IOException {
        return SourceStat.of(file).sameVersionAs(before);
    }

    public static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
    }
}
