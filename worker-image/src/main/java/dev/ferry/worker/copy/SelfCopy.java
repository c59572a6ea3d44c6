package dev.ferry.worker.copy;

import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.multipart.PartLayout;
import dev.ferry.worker.multipart.PartSizes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Replaces the metadata of an object too large for CopyObject (5 GiB): a multipart upload of the same
 * key, created with the new metadata, whose parts are UploadPartCopy of consecutive ranges of the object
 * itself, completed — the bytes never leave the store. Every part copy is conditional on the ETag read
 * before ({@code x-amz-copy-source-if-match}), so an object replaced meanwhile fails the copy (412)
 * instead of giving an object mixed from two versions. On any failure the upload is aborted: no one
 * resumes a self-copy, and a Copy task would otherwise find it as an upload left for the key.
 *
 * <p>The ranges are the parts of the original upload when its part size allows (5 MiB to 5 GiB, at
 * most 10,000 parts), so on S3 the copy keeps the object's composite ETag: the MD5s of its parts are
 * the same. At most {@code concurrency} part copies of one object are in flight.
 */
public final class SelfCopy {
    private static final Logger LOG = LoggerFactory.getLogger(SelfCopy.class);

    private SelfCopy() {
    }

    /**
     * Puts {@code metadata} on the object at {@code key} ({@code size} bytes, ETag {@code eTag}) by a
     * multipart copy onto itself in parts of {@code preferredPartSize} (see {@link #partSize}).
     *
     * @throws S3Exception with status 412 ({@link #isConflict}) when the object is no longer {@code eTag}
     */
    static void replaceMetadata(CopyEngine engine, String key, String eTag, long size, long preferredPartSize,
                                Map<String, String> metadata) throws InterruptedException {
        if (eTag == null) {
            throw new IllegalArgumentException("a self-copy of " + key + " needs the object's ETag");
        }
        String ifMatch = quoted(eTag);
        PartLayout layout = PartLayout.of(size, PartSizes.copyPartSize(size, preferredPartSize));
        String uploadId = engine.s3.call(s3 -> s3.createMultipartUpload(b -> b.bucket(engine.bucket).key(key)
                .metadata(metadata).storageClass(engine.storageClass))).uploadId();
        boolean completed = false;
        List<CompletableFuture<CompletedPart>> copies = new ArrayList<>();
        try {
            Deque<CompletableFuture<CompletedPart>> inFlight = new ArrayDeque<>();
            for (int n = 1; n <= layout.count(); n++) {
                if (inFlight.size() >= engine.concurrency) {
                    join(inFlight.removeFirst()); // fails fast: a failed copy stops the loop
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while copying " + key + " onto itself");
                }
                CompletableFuture<CompletedPart> copy = copyPart(engine, key, uploadId, ifMatch, layout, n);
                inFlight.addLast(copy);
                copies.add(copy);
            }
            List<CompletedPart> parts = new ArrayList<>();
            for (CompletableFuture<CompletedPart> copy : copies) {
                parts.add(join(copy));
            }
            parts.sort(Comparator.comparingInt(CompletedPart::partNumber));
            engine.s3.call(s3 -> s3.completeMultipartUpload(b -> b.bucket(engine.bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))));
            completed = true;
            LOG.info("{}: metadata replaced by a multipart copy onto itself ({} parts of {} bytes)", key,
                    layout.count(), layout.partSize());
        } finally {
            if (!completed) {
                awaitQuietly(copies);
                Uploads.abort(engine, key, uploadId);
            }
        }
    }

    /** True when a self-copy failed because the object is no longer the version whose ETag was given. */
    public static boolean isConflict(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 412;
    }

    private static CompletableFuture<CompletedPart> copyPart(CopyEngine engine, String key, String uploadId,
                                                             String ifMatch, PartLayout layout, int n) {
        long first = layout.offset(n);
        long last = first + layout.length(n) - 1;
        return CompletableFuture.supplyAsync(() -> {
            String eTag = engine.s3.call(s3 -> s3.uploadPartCopy(b -> b.sourceBucket(engine.bucket).sourceKey(key)
                    .destinationBucket(engine.bucket).destinationKey(key).uploadId(uploadId).partNumber(n)
                    .copySourceRange("bytes=" + first + "-" + last)
                    .copySourceIfMatch(ifMatch))).copyPartResult().eTag();
            return CompletedPart.builder().partNumber(n).eTag(eTag).build();
        }, engine.partThreads);
    }

    private static CompletedPart join(CompletableFuture<CompletedPart> copy) throws InterruptedException {
        try {
            return copy.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof InterruptedException ie) {
                throw ie;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private static void awaitQuietly(List<CompletableFuture<CompletedPart>> copies) {
        for (CompletableFuture<CompletedPart> copy : copies) {
            try {
                copy.join();
            } catch (CompletionException | java.util.concurrent.CancellationException ignored) {
                // the upload is aborted anyway; a copy that failed simply stored nothing
            }
        }
    }

    private static String quoted(String eTag) {
        String bare = CompositeETag.unquoted(eTag);
        return "\"" + bare + "\"";
    }
}
