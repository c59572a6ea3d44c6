package dev.ferry.worker.copy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Moves the bytes of one file to its key, so that the object appears only complete:
 * <ul>
 *   <li>up to the part size: one PutObject of the file read into memory, with Content-MD5;</li>
 *   <li>larger: a multipart upload. One reader (the file's thread) reads the (offset, length) ranges
 *       in order with positional reads, feeding the whole-file MD5 and handing each part to the part
 *       threads, which upload them concurrently with their own Content-MD5 (at most {@code concurrency}
 *       parts of a file in flight, and the worker's byte budget overall). The upload is completed only
 *       when every part is stored and the file did not change meanwhile; otherwise it is aborted.</li>
 * </ul>
 * The whole-file MD5 ({@code md5chksum}) is known only after the last part is read, but S3 takes
 * metadata when a multipart upload is created: for objects up to 5 GiB it is therefore set right
 * after completion by a metadata-replacing CopyObject of the object onto itself (server side, no
 * data through the worker). Beyond 5 GiB (CopyObject's limit) the file is hashed first in a separate
 * pass, as rclone does. An object completed without md5chksum (a crash in between) is not taken as
 * identical by the overwrite check, so it is redone.
 *
 * <p>{@link #upload} returns what was stored, or null when the source changed while read (size,
 * mtime, ctime, inode).
 */
final class Uploads {
    private static final Logger LOG = LoggerFactory.getLogger(Uploads.class);
    static final long COPY_OBJECT_LIMIT = 5L << 30;

    private final CopyEngine engine;

    /**
     * What an upload stored: the file's size and whole-file MD5, in one PUT or in parts, and for a
     * single PUT the ETag the store answered with (the MD5 it computed of the bytes it kept).
     */
    record Stored(long size, byte[] md5, boolean multipart, String putETag) {
        Stored(long size, byte[] md5, boolean multipart) {
            this(size, md5, multipart, null);
        }
    }

    Uploads(CopyEngine engine) {
        this.engine = engine;
    }

    Stored upload(Path file, String key, SourceStat before) throws IOException, InterruptedException {
        long partSize = PartSizes.partSize(before.size(), engine.configuredPartSize);
        if (before.size() <= partSize) {
            return putSingle(file, key, before);
        }
        return putMultipart(file, key, before, partSize);
    }

    private Stored putSingle(Path file, String key, SourceStat before) throws IOException, InterruptedException {
        int size = (int) before.size();
        try (ByteBudget.Lease ignored = engine.budget.acquire(size);
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] data = new byte[size];
            if (!readFully(channel, 0, data)) {
                return null;
            }
            engine.hooks.afterRead(file);
            if (!unchanged(file, before)) {
                return null;
            }
            byte[] md5 = md5().digest(data);
            String md5Base64 = Base64.getEncoder().encodeToString(md5);
            String eTag = engine.s3.call(s3 -> s3.putObject(b -> b.bucket(engine.bucket).key(key)
                            .contentLength((long) size)
                            .contentMD5(md5Base64)
                            .metadata(ObjectMetadata.of(before.mtime(), md5))
                            .storageClass(engine.storageClass),
                    RequestBody.fromBytes(data))).eTag();
            return new Stored(size, md5, false, eTag);
        }
    }

    private Stored putMultipart(Path file, String key, SourceStat before, long partSize)
            throws IOException, InterruptedException {
        byte[] preHashed = before.size() > COPY_OBJECT_LIMIT ? hash(file, before) : null;
        if (before.size() > COPY_OBJECT_LIMIT && preHashed == null) {
            return null;
        }
        String uploadId = engine.s3.call(s3 -> s3.createMultipartUpload(b -> b.bucket(engine.bucket).key(key)
                .metadata(ObjectMetadata.of(before.mtime(), preHashed))
                .storageClass(engine.storageClass))).uploadId();
        boolean completed = false;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest whole = md5();
            Semaphore partsInFlight = new Semaphore(engine.concurrency);
            List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
            int count = PartSizes.partCount(before.size(), partSize);
            for (int n = 1; n <= count; n++) {
                long offset = (n - 1) * partSize;
                int length = (int) Math.min(partSize, before.size() - offset);
                partsInFlight.acquire();
                ByteBudget.Lease lease = engine.budget.acquire(length);
                if (failedAlready(parts)) {
                    lease.close();
                    partsInFlight.release();
                    break;
                }
                byte[] data = new byte[length];
                if (!readFully(channel, offset, data)) {
                    lease.close();
                    partsInFlight.release();
                    awaitQuietly(parts);
                    return null;
                }
                whole.update(data);
                parts.add(uploadPart(key, uploadId, n, data).whenComplete((r, e) -> {
                    lease.close();
                    partsInFlight.release();
                }));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (CompletableFuture<CompletedPart> part : parts) {
                done.add(join(part));
            }
            if (done.size() != count) {
                return null;
            }
            engine.hooks.afterRead(file);
            if (!unchanged(file, before)) {
                return null;
            }
            engine.s3.call(s3 -> s3.completeMultipartUpload(b -> b.bucket(engine.bucket).key(key)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(done))));
            completed = true;
            byte[] md5 = preHashed != null ? preHashed : whole.digest();
            if (preHashed == null) {
                setWholeFileMd5(key, before, md5);
            }
            return new Stored(before.size(), md5, true);
        } finally {
            if (!completed) {
                abort(key, uploadId);
            }
        }
    }

    private CompletableFuture<CompletedPart> uploadPart(String key, String uploadId, int partNumber, byte[] data) {
        String md5 = Base64.getEncoder().encodeToString(md5().digest(data));
        return CompletableFuture.supplyAsync(() -> {
            // the parts of one upload may go to different gateways of the store
            UploadPartResponse response = engine.s3.call(s3 -> s3.uploadPart(b -> b.bucket(engine.bucket).key(key)
                            .uploadId(uploadId).partNumber(partNumber)
                            .contentLength((long) data.length).contentMD5(md5),
                    RequestBody.fromBytes(data)));
            return CompletedPart.builder().partNumber(partNumber).eTag(response.eTag()).build();
        }, engine.partThreads);
    }

    /** Replaces the object's metadata by the full set including md5chksum; the data is not copied through us. */
    private void setWholeFileMd5(String key, SourceStat before, byte[] md5) {
        Map<String, String> metadata = ObjectMetadata.of(before.mtime(), md5);
        engine.s3.call(s3 -> s3.copyObject(b -> b.sourceBucket(engine.bucket).sourceKey(key)
                .destinationBucket(engine.bucket).destinationKey(key)
                .metadataDirective(MetadataDirective.REPLACE)
                .metadata(metadata)
                .storageClass(engine.storageClass)));
    }

    /** The MD5 of the whole file in a pass of its own; null when the file changed meanwhile. */
    private byte[] hash(Path file, SourceStat before) throws IOException, InterruptedException {
        MessageDigest digest = md5();
        int chunk = 8 << 20;
        try (ByteBudget.Lease ignored = engine.budget.acquire(chunk);
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] data = new byte[chunk];
            for (long offset = 0; offset < before.size(); offset += chunk) {
                int length = (int) Math.min(chunk, before.size() - offset);
                ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
                if (!readFully(channel, offset, buffer)) {
                    return null;
                }
                digest.update(data, 0, length);
            }
        }
        return unchanged(file, before) ? digest.digest() : null;
    }

    private void abort(String key, String uploadId) {
        try {
            engine.s3.call(s3 -> s3.abortMultipartUpload(b -> b.bucket(engine.bucket).key(key).uploadId(uploadId)));
        } catch (RuntimeException e) {
            LOG.warn("could not abort multipart upload {} of {}: {}", uploadId, key, e.toString());
        }
    }

    private static boolean unchanged(Path file, SourceStat before) throws IOException {
        return SourceStat.of(file).sameVersionAs(before);
    }

    /** Fills {@code data} from {@code offset}; false when the file ended first (it shrank). */
    private static boolean readFully(FileChannel channel, long offset, byte[] data) throws IOException {
        return readFully(channel, offset, ByteBuffer.wrap(data));
    }

    private static boolean readFully(FileChannel channel, long offset, ByteBuffer buffer) throws IOException {
        long position = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                return false;
            }
            position += n;
        }
        return true;
    }

    private static boolean failedAlready(List<CompletableFuture<CompletedPart>> parts) {
        return parts.stream().anyMatch(CompletableFuture::isCompletedExceptionally);
    }

    private static void awaitQuietly(List<CompletableFuture<CompletedPart>> parts) {
        for (CompletableFuture<CompletedPart> part : parts) {
            try {
                part.join();
            } catch (CompletionException ignored) {
                // the upload is aborted anyway
            }
        }
    }

    private static CompletedPart join(CompletableFuture<CompletedPart> part) {
        try {
            return part.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
    }
}
