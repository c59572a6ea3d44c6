package dev.ferry.worker.parts;

import dev.ferry.api.FailureCode;
import dev.ferry.api.PartsScope;
import dev.ferry.worker.copy.ByteBudget;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.CopyHalted;
import dev.ferry.worker.copy.ObjectVerifier;
import dev.ferry.worker.copy.PartWriter;
import dev.ferry.worker.copy.SelfCopy;
import dev.ferry.worker.copy.StoreProbe;
import dev.ferry.worker.copy.TaskMotion;
import dev.ferry.worker.copy.Uploads;
import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.multipart.PartLayout;
import dev.ferry.worker.multipart.StoredParts;
import dev.ferry.worker.multipart.StoredParts.StoredPart;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.s3.RetriesExhausted;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.source.SourceErrors;
import dev.ferry.worker.source.SourceErrors.SourceFailure;
import dev.ferry.worker.source.SourceStat;
import dev.ferry.worker.task.Backoff;
import dev.ferry.worker.task.RetryableTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.StoreProblemException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The work of one Parts task on the file and the store: make the parts of its range hold the file's
 * bytes in the upload the plan created, and complete the upload when every part is there.
 * <ol>
 *   <li>The upload not listed: the object completed from it and verified (with its md5chksum) decides
 *       at once when it is there (see {@link #fromObject}); otherwise the upload must be gone
 *       ({@link StoredParts#gone} does not take one listing's word for it) before the object's absence
 *       decides.</li>
 *   <li>The file must still be as planned (size, mtime); otherwise it failed with SOURCE_CHANGED and
 *       the upload is aborted, whoever sees it first.</li>
 *   <li>Its range: each stored part is verified against the file (MD5 = ETag) and kept, the others
 *       sent ({@link PartWriter}); the file must not change while read. Skipped when an earlier run
 *       of this task recorded the range as stored (checkpoint).</li>
 *   <li>Then the parts are listed: when all of them are there, this holder completes the upload. The
 *       holder that stores the last part always sees them all, since each lists only after its own
 *       parts were stored. Completing reads the whole file once, in order: every part is verified
 *       against it (a part that differs is sent again), the whole-file MD5 and the composite ETag
 *       are computed, the upload is completed with the verified parts, the answered ETag must be the
 *       composite one, {@code md5chksum} is set (a copy of the object onto itself: CopyObject up to
 *       5 GiB, a multipart copy above, {@link Uploads#setWholeFileMd5}) and the object is verified as
 *       any copy.
 *       Two holders may complete at once: the later one finds the upload gone and the object in place.</li>
 * </ol>
 */
final class PartsUpload {
    private static final Logger LOG = LoggerFactory.getLogger(PartsUpload.class);

    /** Where the file stands after this run of the task. */
    record Outcome(Kind kind, FailureCode code, String message) {
        enum Kind {
            /** The range is stored; other parts are still missing. */
            RANGE_STORED,
            /** The object is complete and verified (completed here or by a sibling). */
            COMPLETE,
            /** The file cannot be migrated: {@code code} says why. The upload was aborted. */
            FAILED
        }

        static Outcome of(Kind kind) {
            return new Outcome(kind, null, null);
        }

        static Outcome failed(FailureCode code, String message) {
            return new Outcome(Kind.FAILED, code, message);
        }
    }

    private final CopyEngine engine;
    private final PartsScope scope;
    /** The planned size and mtime (epoch ms), unboxed so that they compare by value. */
    private final long plannedSize;
    private final long plannedMtime;
    private final String key;
    private final Path file;
    private final PartLayout layout;
    private final StoredParts storedParts;
    private final PartWriter writer;
    private final PartsProgress progress;
    private final StopSignal halt;

    PartsUpload(CopyEngine engine, PartsScope scope, String key, Path file, StopSignal halt, PartsProgress progress,
                TaskMotion motion) {
        this.engine = engine;
        this.scope = scope;
        this.plannedSize = scope.file.size;
        this.plannedMtime = scope.file.mtime;
        this.key = key;
        this.file = file;
        this.layout = PartLayout.of(plannedSize, scope.partSize);
        this.storedParts = new StoredParts(engine.s3, engine.bucket);
        this.writer = new PartWriter(engine, key, scope.uploadId, layout, halt, motion);
        this.progress = progress;
        this.halt = halt;
    }

    /**
     * The run, with the errors of the store turned into the file's outcome or the task's: a problem of
     * the whole store goes up ({@link StoreProblemException}); a transient error runs it again (each part
     * was tried {@link Backoff#FILE_TRIES} times by the {@link PartWriter} already; the other requests
     * get the same number of tries, {@link Backoff#beforeFileTry} apart), then the file fails with the
     * error's code and the upload is aborted — provided the store still takes a write ({@link StoreProbe}).
     */
    Outcome run() throws InterruptedException {
        for (int tries = 1; ; tries++) {
            SdkException failure;
            try {
                return runOrThrow();
            } catch (IOException e) {
                SourceFailure source = SourceErrors.classify(e);
                return failAndAbort(source.code(), source.message());
            } catch (SdkException e) {
                StoreProblemException store = S3Errors.storeProblem("uploading parts of " + scope.file.path, e);
                if (store != null) {
                    throw store;
                }
                S3Errors.ErrorClass error = S3Errors.classify(e);
                if (!error.retryable()) {
                    return failAndAbort(error.code(), S3Errors.describe(e));
                }
                failure = e;
            }
            if (tries >= Backoff.FILE_TRIES || failure instanceof RetriesExhausted) {
                StoreProbe.storeTakesWrites(engine, "uploading parts of " + scope.file.path + " failed ("
                        + S3Errors.describe(failure) + ")");
                int used = failure instanceof RetriesExhausted exhausted ? exhausted.tries() : tries;
                return failAndAbort(S3Errors.classify(failure).code(),
                        S3Errors.describe(failure) + " (given up after " + used + " tries)");
            }
            LOG.info("{}: {}; trying again", key, S3Errors.describe(failure));
            if (!Backoff.pause(Backoff.beforeFileTry(tries + 1), halt)) {
                throw new CopyHalted("stopped while waiting to try the parts of " + key + " again");
            }
        }
    }

    private Outcome runOrThrow() throws IOException, InterruptedException {
        try {
            return storeAndComplete();
        } catch (S3Exception e) {
            if (StoredParts.isNoSuchUpload(e)) {
                return fromObject(); // completed by a sibling, or aborted, while we worked
            }
            throw e;
        }
    }

    private Outcome storeAndComplete() throws IOException, InterruptedException {
        if (!storedParts.listed(key, scope.uploadId)) {
            // Completed by a sibling (the usual case when the task with part 1 comes back: the object is
            // the proof, no need to list again), or aborted, or a listing that missed it (StoredParts#gone).
            Outcome completed = fromCompletedObject();
            if (completed != null) {
                return completed;
            }
            if (storedParts.gone(key, scope.uploadId)) {
                return fromObject(); // looks again: a sibling may have completed it while it was listed
            }
        }
        SourceStat before = SourceStat.of(file);
        String changed = differenceFromPlan(before);
        if (changed != null) {
            return failAndAbort(FailureCode.SOURCE_CHANGED, changed);
        }
        if (!progress.rangeStored()) {
            Map<Integer, StoredPart> stored = storedParts.partsOf(key, scope.uploadId);
            Outcome failed = storeRange(before, stored == null ? Map.of() : stored);
            if (failed != null) {
                return failed;
            }
        }
        Map<Integer, StoredPart> stored = storedParts.partsOf(key, scope.uploadId);
        if (stored == null) {
            // cannot tell whether every part is there: the task with part 1 looks again later
            return Outcome.of(Outcome.Kind.RANGE_STORED);
        }
        for (int n = 1; n <= layout.count(); n++) {
            if (!stored.containsKey(n)) {
                LOG.info("{}: parts {}..{} stored; part {} of {} is not there yet", key, scope.firstPart,
                        scope.lastPart, n, layout.count());
                return Outcome.of(Outcome.Kind.RANGE_STORED);
            }
        }
        return complete(stored);
    }

    /** The parts of the task's range, verified or sent; null when done, else the failure. */
    private Outcome storeRange(SourceStat before, Map<Integer, StoredPart> stored) throws IOException, InterruptedException {
        PartWriter.Result result;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            result = writer.store(channel, scope.firstPart, scope.lastPart, stored, null);
        }
        engine.hooks.afterRead(file);
        if (result.shrank() || !SourceStat.of(file).sameVersionAs(before)) {
            return failAndAbort(FailureCode.SOURCE_CHANGED, "the file changed while its parts were read");
        }
        progress.rangeStored(layout.bytes(scope.firstPart, scope.lastPart), result.uploaded(), result.reused());
        LOG.info("{}: parts {}..{} stored ({} sent, {} kept)", key, scope.firstPart, scope.lastPart,
                result.uploaded(), result.reused());
        return null;
    }

    /** Every part is listed: verify them all against the file in one read, complete, set md5chksum, verify. */
    private Outcome complete(Map<Integer, StoredPart> stored) throws IOException, InterruptedException {
        SourceStat before = SourceStat.of(file);
        String changed = differenceFromPlan(before);
        if (changed != null) {
            return failAndAbort(FailureCode.SOURCE_CHANGED, changed);
        }
        MessageDigest whole = Uploads.md5();
        PartWriter.Result result;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            result = writer.store(channel, 1, layout.count(), stored, whole);
        }
        engine.hooks.afterRead(file);
        if (result.shrank() || !SourceStat.of(file).sameVersionAs(before)) {
            return failAndAbort(FailureCode.SOURCE_CHANGED, "the file changed while it was read to complete the upload");
        }
        progress.completionSent(result.uploaded());
        String composite = CompositeETag.ofAnswered(result.parts().values(), result.md5s());
        String answered;
        try {
            answered = engine.s3.call(s3 -> s3.completeMultipartUpload(b -> b.bucket(engine.bucket).key(key)
                    .uploadId(scope.uploadId).multipartUpload(m -> m.parts(result.parts().values())))).eTag();
        } catch (SdkException e) {
            // completed by a sibling at the same moment (NoSuchUpload), or our answer lost on the way
            LOG.info("{}: completing upload {} failed ({}); looking at the object", key, scope.uploadId, e.toString());
            Outcome completed = fromCompletedObject();
            if (completed != null) {
                return completed;
            }
            if (!storedParts.gone(key, scope.uploadId)) {
                throw e; // not completed (InvalidPart: a part was replaced meanwhile): the task is retried
            }
            return fromObject();
        }
        byte[] md5 = whole.digest();
        LOG.info("{}: completed upload {} of {} parts ({} sent again while verifying)", key, scope.uploadId,
                layout.count(), result.uploaded());
        Uploads.Stored object = new Uploads.Stored(plannedSize, md5, true, null,
                new Uploads.Parts(CompositeETag.unquoted(answered), composite, result.uploaded(), 0));
        // what the store assembled is checked before md5chksum is set: a copy onto itself spends a
        // server-side copy of every byte and, above 5 GiB, gives the object the ETag of the copy's parts
        String mismatch = ObjectVerifier.assemblyMismatch(object);
        if (mismatch == null) {
            String eTag = plannedSize <= engine.copyObjectLimit ? answered : eTagOfCompleted(answered, md5);
            if (eTag == null) {
                LOG.info("{}: the object is no longer the one completed; looking at it again", key);
                return fromObject();
            }
            try {
                Uploads.setWholeFileMd5(engine, key, before, md5, eTag, layout.partSize());
            } catch (S3Exception e) {
                if (!SelfCopy.isConflict(e)) {
                    throw e;
                }
                // replaced since we completed it (a sibling setting md5chksum at the same moment)
                LOG.info("{}: the object changed while its metadata was set; looking at it again", key);
                return fromObject();
            }
            mismatch = new ObjectVerifier(engine).mismatch(key, object);
        }
        if (mismatch != null) {
            LOG.warn("{} failed verification ({}): deleting the object", key, mismatch);
            engine.s3.call(s3 -> s3.deleteObject(b -> b.bucket(engine.bucket).key(key)));
            return Outcome.failed(FailureCode.VERIFY_MISMATCH, mismatch);
        }
        return Outcome.of(Outcome.Kind.COMPLETE);
    }

    /**
     * The ETag a multipart copy onto itself is made conditional on: the object's as a HEAD reads it,
     * provided it is the object just completed — its ETag the one the completion answered (S3), or the
     * MD5 of the file's bytes (a store that hashes what it writes, as S3Proxy's nio2 store) — with the
     * planned size. Null when the object is no longer that.
     */
    private String eTagOfCompleted(String answered, byte[] md5) {
        HeadObjectResponse head = Uploads.headOrNull(engine, key);
        if (head == null) {
            return null;
        }
        String eTag = CompositeETag.unquoted(head.eTag());
        boolean completed = eTag != null && (eTag.equalsIgnoreCase(CompositeETag.unquoted(answered))
                || eTag.equalsIgnoreCase(HexFormat.of().formatHex(md5)));
        return completed && head.contentLength() != null && head.contentLength() == plannedSize ? head.eTag() : null;
    }

    /**
     * The upload is gone: completed by a sibling (perhaps one that crashed before setting
     * {@code md5chksum}), or aborted. An object with the planned size and mtime and an
     * {@code md5chksum} was completed and verified by its completer. One without {@code md5chksum} is
     * checked here: the file is read once and the object's ETag must be the composite ETag of its
     * parts; then {@code md5chksum} is set, conditional on that ETag. No
     * object means the upload was aborted — because the file changed, or by something else.
     */
    private Outcome fromObject() throws IOException, InterruptedException {
        HeadObjectResponse head = Uploads.headOrNull(engine, key);
        if (isThePlannedFile(head)) {
            return fromPlannedObject(head);
        }
        SourceStat now = SourceStat.of(file);
        String changed = differenceFromPlan(now);
        if (changed != null) {
            return Outcome.failed(FailureCode.SOURCE_CHANGED, changed);
        }
        return Outcome.failed(FailureCode.MULTIPART_UPLOAD_LOST, head == null
                ? "the upload " + scope.uploadId + " is gone and the object was not completed"
                : "the upload " + scope.uploadId + " is gone and the object is not this file (size "
                        + head.contentLength() + ", mtime " + head.metadata().get(ObjectMetadata.MTIME) + ")");
    }

    /**
     * The outcome when the object completed from the upload and verified by its completer is there (the
     * planned file with its {@code md5chksum}); null when it is not. An object without {@code md5chksum} is
     * not taken here: it may be an older one while the upload is still there (a listing that missed it),
     * so it waits for {@link StoredParts#gone} and {@link #fromObject}.
     */
    private Outcome fromCompletedObject() throws IOException, InterruptedException {
        HeadObjectResponse head = Uploads.headOrNull(engine, key);
        boolean verified = isThePlannedFile(head) && head.metadata().containsKey(ObjectMetadata.MD5);
        return verified ? fromPlannedObject(head) : null;
    }

    /** An object of the planned size and mtime: the one completed from this upload. */
    private boolean isThePlannedFile(HeadObjectResponse head) {
        Long storedMtime = head == null ? null : ObjectMetadata.mtimeMillis(head.metadata().get(ObjectMetadata.MTIME));
        return head != null && head.contentLength() != null && head.contentLength() == plannedSize
                && storedMtime != null && storedMtime == plannedMtime;
    }

    private Outcome fromPlannedObject(HeadObjectResponse head) throws IOException, InterruptedException {
        Outcome outcome = head.metadata().containsKey(ObjectMetadata.MD5) ? Outcome.of(Outcome.Kind.COMPLETE)
                : checkAgainstFile(head);
        if (outcome.kind() == Outcome.Kind.COMPLETE && !progress.rangeStored()) {
            // An earlier holder sent this range and died before writing it down, and a sibling
            // completed the object with it: the range is stored, and its bytes count (as this task's,
            // once), or the job's bytes.copied misses them.
            int parts = scope.lastPart - scope.firstPart + 1;
            progress.rangeStored(layout.bytes(scope.firstPart, scope.lastPart), 0, parts);
        }
        return outcome;
    }

    /** An object completed from the upload but never given md5chksum: proved by its composite ETag. */
    private Outcome checkAgainstFile(HeadObjectResponse head) throws IOException, InterruptedException {
        SourceStat before = SourceStat.of(file);
        String changed = differenceFromPlan(before);
        if (changed != null) {
            return Outcome.failed(FailureCode.SOURCE_CHANGED, changed + "; the object completed earlier is kept"
                    + " without " + ObjectMetadata.MD5);
        }
        List<byte[]> partMd5s = new ArrayList<>();
        MessageDigest whole = Uploads.md5();
        if (!hashParts(before, partMd5s, whole)) {
            return Outcome.failed(FailureCode.SOURCE_CHANGED, "the file changed while it was read to check the object");
        }
        byte[] md5 = whole.digest();
        String eTag = CompositeETag.unquoted(head.eTag());
        String composite = CompositeETag.of(partMd5s);
        // S3 keeps the composite ETag; a store that hashes what it writes (S3Proxy's nio2 store) or a
        // CopyObject of the object (md5chksum being set this very moment) gives the MD5 of the content
        if (!composite.equalsIgnoreCase(eTag) && !HexFormat.of().formatHex(md5).equalsIgnoreCase(eTag)) {
            return Outcome.failed(FailureCode.MULTIPART_UPLOAD_LOST, "the upload " + scope.uploadId
                    + " is gone and the object is not this file: its ETag is " + eTag + ", the file's parts give "
                    + composite);
        }
        try {
            Uploads.setWholeFileMd5(engine, key, before, md5, head.eTag(), layout.partSize());
        } catch (S3Exception e) {
            if (SelfCopy.isConflict(e)) {
                // replaced since it was checked: most likely a sibling that set md5chksum at the same
                // moment; the task is retried and looks at the object again
                throw new RetryableTaskException("the object " + key + " changed while its "
                        + ObjectMetadata.MD5 + " was set", e);
            }
            throw e;
        }
        return Outcome.of(Outcome.Kind.COMPLETE);
    }

    /** Feeds the MD5 of every part and of the whole file; false when the file changed meanwhile. */
    private boolean hashParts(SourceStat before, List<byte[]> partMd5s, MessageDigest whole)
            throws IOException, InterruptedException {
        int chunk = 8 << 20;
        try (ByteBudget.Lease ignored = engine.budget.acquire(chunk);
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] data = new byte[chunk];
            for (int n = 1; n <= layout.count(); n++) {
                MessageDigest part = Uploads.md5();
                long end = layout.offset(n) + layout.length(n);
                for (long offset = layout.offset(n); offset < end; offset += chunk) {
                    int length = (int) Math.min(chunk, end - offset);
                    if (!PartWriter.readFully(channel, offset, ByteBuffer.wrap(data, 0, length))) {
                        return false;
                    }
                    part.update(data, 0, length);
                    whole.update(data, 0, length);
                }
                partMd5s.add(part.digest());
            }
        }
        return SourceStat.of(file).sameVersionAs(before);
    }

    /** Null when the file is as planned (size and mtime), else the difference. */
    private String differenceFromPlan(SourceStat stat) {
        if (!stat.regularFile()) {
            return "no longer a regular file";
        }
        if (stat.size() != plannedSize || stat.mtime().toMillis() != plannedMtime) {
            return "the file changed since it was planned (size " + plannedSize + " -> " + stat.size()
                    + ", mtime " + plannedMtime + " -> " + stat.mtime().toMillis() + " ms)";
        }
        return null;
    }

    /**
     * The file failed: its upload is aborted. A task other than the one with part 1 whose abort is refused
     * does not end: the task with part 1 learns that the file ended only from the upload being gone (or
     * from a sibling that Failed), and would otherwise wait for this range for ever. It is tried again
     * (an attempt), until the abort goes through or the operator gives up on it.
     */
    private Outcome failAndAbort(FailureCode code, String message) {
        LOG.warn("{}: {} ({}); aborting upload {}", key, code, message, scope.uploadId);
        if (!Uploads.abort(engine, key, scope.uploadId) && !progress.countsTheFile()) {
            throw new RetryableTaskException(scope.file.path + " failed (" + code + ": " + message + ") and its upload "
                    + scope.uploadId + " could not be aborted; tried again so that the task with part 1 does not"
                    + " wait for these parts");
        }
        return Outcome.failed(code, message);
    }
}
