package dev.ferry.worker.copy;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.VerifyMode;
import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.multipart.PartSizes;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.ObjectKeys;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.s3.RetriesExhausted;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.source.SourceErrors;
import dev.ferry.worker.source.SourceErrors.SourceFailure;
import dev.ferry.worker.source.SourceStat;
import dev.ferry.worker.task.Backoff;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.StoreProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Copies one entry of a task to its key and says what happened: a regular file, or a stored link or
 * directory marker ({@link EntryObject}). The decisions live here (key length, overwrite policy, a
 * source that changes while read, which errors are the file's and which the task's, Move); the bytes
 * move in {@link Uploads}.
 */
public final class FileCopier {
    private static final Logger LOG = LoggerFactory.getLogger(FileCopier.class);

    private final CopyEngine engine;
    private final Uploads uploads;
    private final ObjectVerifier verifier;
    private final StopSignal halt;
    /** Where the bytes read and sent count, so the task shows it moves ({@code progressTime}). */
    private final TaskMotion motion;

    public FileCopier(CopyEngine engine) {
        this(engine, StopSignal.NEVER);
    }

    /**
     * A copier for a task that may have to stop: a multipart copy then stops between parts and throws
     * {@link CopyHalted}, leaving its upload for the next holder; so does a file waiting to be tried again.
     */
    public FileCopier(CopyEngine engine, StopSignal halt) {
        this(engine, halt, TaskMotion.untracked());
    }

    /** A copier for a task, counting the bytes it reads and sends into the task's {@code motion}. */
    public FileCopier(CopyEngine engine, StopSignal halt, TaskMotion motion) {
        this.engine = engine;
        this.halt = halt;
        this.uploads = new Uploads(engine, halt, motion);
        this.verifier = new ObjectVerifier(engine);
        this.motion = motion;
    }

    /**
     * Copies {@code file} (whose path relative to the source is {@code relativePath}). Per-file
     * problems come back as a failed outcome, transient ones after the file's tries; a problem of the
     * store as a whole is thrown as {@link StoreProblemException}.
     */
    public FileOutcome copy(String relativePath, Path file) throws InterruptedException {
        return copy(relativePath, file, ExistingObjects.UNKNOWN);
    }

    /** As {@link #copy(FileEntry, Path, ExistingObjects)} without a listing. */
    public FileOutcome copy(FileEntry entry, Path path) throws InterruptedException {
        return copy(entry, path, ExistingObjects.UNKNOWN);
    }

    /**
     * Copies one entry of a task found at {@code path}: a regular file, or a link or empty directory
     * stored as a small object, knowing from a listing which keys exist (see {@link ExistingObjects}).
     */
    FileOutcome copy(FileEntry entry, Path path, ExistingObjects existing) throws InterruptedException {
        EntryKind kind = entry.kindOrFile();
        if (entry.target != null && !ObjectKeys.encodable(entry.target)) {
            // A followed link to a file whose name is not UTF-8: the plan holds the target's name as text,
            // which cannot name the file again (not SOURCE_VANISHED: the file is there)
            return FileOutcome.failed(entry.path, FailureCode.NAME_NOT_ENCODABLE, "the link leads to " + entry.target
                    + ", whose name has no UTF-8 form (invalid in the filesystem's encoding)");
        }
        if (kind == EntryKind.File) {
            return copy(entry.path, path, existing);
        }
        String key = EntryObject.keyOf(engine.prefix, entry);
        return guarded(entry.path, key, () -> copyEntryObject(entry.path, key, kind, path, existing));
    }

    /**
     * What {@link #copy(String, Path, ExistingObjects)} would do with this regular file, deciding as it decides
     * (key, overwrite policy, the object's size, mtime and MD5; under Checksum the file is read) without writing
     * anything: {@code ferry migrate --dry-run}.
     */
    Preview preview(String relativePath, Path file, ExistingObjects existing) throws IOException {
        String key = ObjectKeys.keyOf(engine.prefix, relativePath);
        if (!ObjectKeys.encodable(key)) {
            return Preview.leftOut(relativePath, 0, FailureCode.NAME_NOT_ENCODABLE.name());
        }
        if (ObjectKeys.tooLong(key)) {
            return Preview.leftOut(relativePath, 0, FailureCode.KEY_TOO_LONG.name());
        }
        SourceStat stat = SourceStat.of(file);
        if (!stat.regularFile()) {
            return Preview.leftOut(relativePath, stat.size(), FailureCode.NOT_A_REGULAR_FILE.name());
        }
        Skip skip = existingObjectMakesUploadUnnecessary(key, stat.size(), stat.mtime(), stat.ctime(), null, existing,
                () -> md5Of(file, stat));
        if (skip != null) {
            return Preview.skip(relativePath, stat.size(), skip.reason());
        }
        return Preview.copy(relativePath, stat.size(), engine.overwrite == OverwritePolicy.Always ? "overwrite Always"
                : existing.presence(key) == ExistingObjects.Presence.ABSENT ? "new" : "new, or changed since its object");
    }

    /** As {@link #copy(String, Path)}, knowing from a listing which keys exist (see {@link ExistingObjects}). */
    FileOutcome copy(String relativePath, Path file, ExistingObjects existing) throws InterruptedException {
        String key = ObjectKeys.keyOf(engine.prefix, relativePath);
        return guarded(relativePath, key, () -> copyFile(relativePath, key, file, existing));
    }

    private FileOutcome copyFile(String relativePath, String key, Path file, ExistingObjects existing)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            SourceStat before = SourceStat.of(file);
            if (!before.regularFile()) {
                return FileOutcome.failed(relativePath, FailureCode.NOT_A_REGULAR_FILE, "no longer a regular file");
            }
            Source source = new Source(objectMd5 -> stillTheVersionRead(file, before, objectMd5),
                    () -> Files.delete(file));
            if (attempt == 1) {
                Skip skip = existingObjectMakesUploadUnnecessary(key, before.size(), before.mtime(), before.ctime(),
                        null, existing, () -> md5Of(file, before));
                if (skip != null) {
                    FileOutcome skipped = skip.outcome(relativePath, before.size());
                    return skip.sameContent() ? markedIfMarking(movedIfMoving(skipped, source), file, key) : skipped;
                }
            }
            if (!ObjectKeys.carriedByXml(key) && !PartSizes.singlePut(before.size(), engine.configuredPartSize)) {
                // refused before any request: a multipart upload would be created but never read, then leak
                return FileOutcome.failed(relativePath, FailureCode.NAME_NOT_ENCODABLE, "the name holds a control"
                        + " character, which S3's XML answers to a multipart upload cannot carry, and the file is"
                        + " too large for one PUT: rename it, or raise spec.workers.partSize above its size");
            }
            Uploads.Stored stored = uploads.upload(file, key, before);
            if (stored != null) {
                return markedIfMarking(movedIfMoving(verified(relativePath, key, stored), source), file, key);
            }
            if (attempt >= 2) {
                return FileOutcome.failed(relativePath, FailureCode.SOURCE_CHANGED,
                        "the file changed while it was read, twice");
            }
            LOG.info("{} changed while it was read: reading it again", relativePath);
        }
    }

    /**
     * A stored link or directory marker: read (lstat, readlink), read again to be sure it did not change
     * meanwhile, then one PUT. A link is deleted by Move like a file once its object is verified; a
     * directory never is.
     */
    private FileOutcome copyEntryObject(String relativePath, String key, EntryKind kind, Path path,
                                        ExistingObjects existing) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            EntryObject before = EntryObject.read(kind, path);
            if (!before.isStillItsKind()) {
                return FileOutcome.failed(relativePath, FailureCode.NOT_A_REGULAR_FILE,
                        "no longer a " + before.kindName());
            }
            if (before.linkText() != null && !ObjectKeys.encodable(before.linkText())) {
                return FileOutcome.failed(relativePath, FailureCode.NAME_NOT_ENCODABLE,
                        "the link's text has no UTF-8 form (invalid in the filesystem's encoding)");
            }
            byte[] body = before.body();
            byte[] md5 = Uploads.md5().digest(body);
            Source source = kind == EntryKind.Symlink
                    ? new Source(objectMd5 -> EntryObject.read(kind, path).sameVersionAs(before),
                            () -> Files.delete(path))
                    : null;
            if (attempt == 1) {
                String linkHeader = before.linkText() == null ? null : ObjectMetadata.encodeHeaderValue(before.linkText());
                Skip skip = existingObjectMakesUploadUnnecessary(key, body.length, before.stat().mtime(), null,
                        linkHeader, existing, () -> md5);
                if (skip != null) {
                    FileOutcome skipped = skip.outcome(relativePath, body.length);
                    return skip.sameContent() ? movedIfMoving(skipped, source) : skipped;
                }
            }
            engine.hooks.afterRead(path);
            if (EntryObject.read(kind, path).sameVersionAs(before)) {
                Uploads.Stored stored = uploads.putBytes(key, body, md5, before.metadata(engine.metadataOf(before.stat(), md5)));
                return movedIfMoving(verified(relativePath, key, stored), source);
            }
            if (attempt >= 2) {
                return FileOutcome.failed(relativePath, FailureCode.SOURCE_CHANGED,
                        "the " + before.kindName() + " changed while it was read, twice");
            }
            LOG.info("{} changed while it was read: reading it again", relativePath);
        }
    }

    private interface Copy {
        FileOutcome run() throws IOException, InterruptedException;
    }

    /**
     * Runs a copy to {@code key} once the key is known to be storable, turning the errors of the source
     * into the entry's outcome and those of the store into the entry's or the task's:
     * <ul>
     *   <li>a problem of the store as a whole (no bucket, credentials, quota, no endpoint reachable) is
     *       the task's: {@link StoreProblemException};</li>
     *   <li>a transient error (5xx, throttling, a timeout, a reset connection) tries the whole copy again,
     *       {@link Backoff#FILE_TRIES} tries in all ({@link Backoff#beforeFileTry} apart; a multipart copy
     *       resumes its upload); then the file fails with the error's code — provided the store still
     *       takes a write ({@link StoreProbe}), else the task waits for the store;</li>
     *   <li>any other error fails the file at once.</li>
     * </ul>
     */
    private FileOutcome guarded(String relativePath, String key, Copy copy) throws InterruptedException {
        if (!ObjectKeys.encodable(key)) {
            return FileOutcome.failed(relativePath, FailureCode.NAME_NOT_ENCODABLE,
                    "the file name has no UTF-8 form (invalid in the filesystem's encoding; each byte that is not"
                            + " UTF-8 is shown as U+FFFD and its two hex digits)");
        }
        if (ObjectKeys.tooLong(key)) {
            return FileOutcome.failed(relativePath, FailureCode.KEY_TOO_LONG,
                    "the object key would exceed " + ObjectKeys.MAX_KEY_BYTES + " UTF-8 bytes");
        }
        for (int tries = 1; ; tries++) {
            SdkException failure;
            try {
                return copy.run();
            } catch (IOException e) {
                SourceFailure source = SourceErrors.classify(e);
                return FileOutcome.failed(relativePath, source.code(), source.message());
            } catch (SdkException e) {
                StoreProblemException store = S3Errors.storeProblem("uploading " + relativePath, e);
                if (store != null) {
                    throw store;
                }
                if (!S3Errors.classify(e).retryable()) {
                    return FileOutcome.failed(relativePath, S3Errors.classify(e).code(), S3Errors.describe(e));
                }
                failure = e;
            }
            // a part's own tries are the file's (a multipart copy tried each failed part already)
            if (tries >= Backoff.FILE_TRIES || failure instanceof RetriesExhausted) {
                return givenUp(relativePath, key, failure, tries);
            }
            LOG.info("{}: {}; trying it again", relativePath, S3Errors.describe(failure));
            if (!Backoff.pause(Backoff.beforeFileTry(tries + 1), halt)) {
                throw new CopyHalted("stopped while waiting to try " + relativePath + " again");
            }
        }
    }

    /**
     * The file's tries are used up: it fails with the code of its last error, and any multipart upload it
     * left is aborted — unless the store takes no write at all, in which case the task waits for it.
     */
    private FileOutcome givenUp(String relativePath, String key, SdkException failure, int tries) {
        StoreProbe.storeTakesWrites(engine, "uploading " + relativePath + " failed (" + S3Errors.describe(failure)
                + ")");
        int used = failure instanceof RetriesExhausted exhausted ? exhausted.tries() : tries;
        LOG.warn("{}: giving up after {} tries: {}", relativePath, used, S3Errors.describe(failure));
        uploads.abandonUploadsOf(key);
        return FileOutcome.failed(relativePath, S3Errors.classify(failure).code(),
                S3Errors.describe(failure) + " (given up after " + used + " tries)");
    }

    /**
     * Copied when the object proves to be the file; otherwise failed, and the object is deleted so
     * that nothing (a re-run with {@code IfDifferent}, a later Move) takes it for a copy of the file.
     */
    private FileOutcome verified(String relativePath, String key, Uploads.Stored stored) {
        engine.hooks.beforeVerify(key);
        String mismatch = verifier.mismatch(key, stored);
        if (mismatch == null) {
            String eTag = stored.putETag() != null ? stored.putETag()
                    : stored.parts() != null ? stored.parts().completedETag() : null;
            URI endpoint = EndpointPool.lastServedOnThisThread();
            return FileOutcome.copied(relativePath, stored.size(), stored.partsUploaded(), stored.partsReused())
                    .withObject(new FileOutcome.StoredObject(HexFormat.of().formatHex(stored.md5()),
                            CompositeETag.unquoted(eTag), endpoint == null ? null : endpoint.toString()));
        }
        LOG.warn("{} failed verification ({}): deleting the object", relativePath, mismatch);
        engine.s3.call(s3 -> s3.deleteObject(b -> b.bucket(engine.bucket).key(key)));
        return FileOutcome.failed(relativePath, FailureCode.VERIFY_MISMATCH, mismatch);
    }

    /** What Move needs of a source that was copied: whether it is still the version read, and how it goes. */
    private record Source(Check unchanged, Delete delete) {
    }

    private interface Check {
        /** Whether the source is still the version whose object has this MD5 (null: not known). */
        boolean test(byte[] objectMd5) throws IOException;
    }

    private interface Delete {
        void run() throws IOException;
    }

    /**
     * {@code mode: Move}: the source file (or stored link) is deleted once its object is verified —
     * copied and checked by {@link ObjectVerifier}, or found identical by content — and only if it is
     * still the version that was read. Any doubt leaves it in place and fails it with
     * {@code SOURCE_NOT_DELETED}. A null source (a directory marker) is never deleted.
     */
    private FileOutcome movedIfMoving(FileOutcome outcome, Source source) {
        if (engine.mode != MigrationMode.Move || outcome.kind() == FileOutcome.Kind.FAILED || source == null) {
            return outcome;
        }
        try {
            FileOutcome.StoredObject object = outcome.object();
            byte[] objectMd5 = object == null || object.md5Hex() == null ? null : HexFormat.of().parseHex(object.md5Hex());
            if (!source.unchanged().test(objectMd5)) {
                return FileOutcome.failed(outcome.path(), FailureCode.SOURCE_NOT_DELETED,
                        "the file changed after it was copied: left in place (the object holds the version read)");
            }
            source.delete().run();
            return outcome;
        } catch (NoSuchFileException e) {
            return outcome; // a former holder of the task moved it already
        } catch (IOException e) {
            return FileOutcome.failed(outcome.path(), FailureCode.SOURCE_NOT_DELETED,
                    "copied and verified, but the source could not be deleted: " + e);
        }
    }

    /**
     * Whether the file is still the version that was copied: the same size, mtime, ctime and inode as
     * read, or — when only its ctime moved (see {@link SourceStat#differsInCtimeOnly}: a Move that
     * deleted another hard link of the same file does that) — bytes whose MD5 is still the object's,
     * read again.
     */
    private boolean stillTheVersionRead(Path file, SourceStat before, byte[] objectMd5) throws IOException {
        SourceStat now = SourceStat.of(file);
        if (now.sameVersionAs(before)) {
            return true;
        }
        if (objectMd5 == null || !now.differsInCtimeOnly(before)) {
            return false;
        }
        byte[] md5 = md5Of(file, now);
        return md5 != null && MessageDigest.isEqual(md5, objectMd5);
    }

    /** {@code markMigrated: Xattr}: a file whose object is verified gets its mark; the outcome stays as it is. */
    private FileOutcome markedIfMarking(FileOutcome outcome, Path file, String key) {
        if (engine.marks != null && outcome.kind() != FileOutcome.Kind.FAILED) {
            engine.marks.mark(file, key, outcome.object() == null ? null : outcome.object().eTag());
        }
        return outcome;
    }

    /**
     * Why an upload is unnecessary, and whether that is because the object holds the file's content.
     * An identical object that this job wrote (an earlier holder of the task, whose progress or event
     * did not get out before it died) makes the file copied, not skipped: it was not there before the
     * job, and its event must be the same {@code file.copied} the first holder would have sent.
     */
    private record Skip(String reason, boolean sameContent, boolean writtenByThisJob, HeadObjectResponse head) {
        Skip(String reason, boolean sameContent) {
            this(reason, sameContent, false, null);
        }

        FileOutcome outcome(String relativePath, long size) {
            FileOutcome.StoredObject object = head == null ? null : new FileOutcome.StoredObject(
                    md5Hex(recordedMd5(head)), CompositeETag.unquoted(head.eTag()), null);
            FileOutcome outcome = writtenByThisJob
                    ? FileOutcome.copied(relativePath, size).withMessage("uploaded by an earlier holder of this job")
                    : FileOutcome.skipped(relativePath, reason);
            return outcome.withObject(object);
        }

        private static String md5Hex(String base64) {
            return base64 == null ? null : HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
        }
    }

    /** The MD5 of what would be uploaded; null when the source changed while it was read. */
    private interface Md5 {
        byte[] compute() throws IOException;
    }

    /**
     * Why the upload can be skipped, or null when it must happen. A stored link's object must also
     * carry the link's text ({@code linkHeader}, encoded): an object of the same bytes that is not a
     * stored link (a file stored under the link's name before) is replaced. {@code ctime} is the file's
     * (null: none to compare), see {@link ObjectMetadata#CTIME}.
     */
    private Skip existingObjectMakesUploadUnnecessary(String key, long size, FileTime mtime, Object ctime,
                                                      String linkHeader, ExistingObjects existing, Md5 md5Of)
            throws IOException {
        if (engine.overwrite == OverwritePolicy.Always) {
            return null;
        }
        switch (existing.presence(key)) {
            case ABSENT:
                return null;
            case PRESENT:
                if (engine.overwrite == OverwritePolicy.Never) {
                    return new Skip("the object exists (overwrite: Never)", false);
                }
                Long listed = existing.size(key);
                if (listed != null && listed != size) {
                    return null;
                }
                break;
            default:
                break;
        }
        HeadObjectResponse head = Uploads.headOrNull(engine, key);
        if (head == null) {
            return null;
        }
        if (engine.overwrite == OverwritePolicy.Never) {
            return new Skip("the object exists (overwrite: Never)", false);
        }
        Map<String, String> meta = head.metadata();
        boolean sameSize = head.contentLength() != null && head.contentLength() == size;
        // The object's MD5: its md5chksum, else a single PUT's ETag (an object rclone or another tool stored). A
        // multipart object without md5chksum was left half-done by Ferry (completed, metadata not yet set), or its
        // MD5 is unknown: redo it.
        String recordedMd5 = recordedMd5(head);
        if (!sameSize || !ObjectMetadata.sameMtime(meta.get(ObjectMetadata.MTIME), mtime) || recordedMd5 == null
                || (linkHeader != null && !linkHeader.equals(meta.get(ObjectMetadata.SYMLINK_TARGET)))) {
            return null;
        }
        boolean ours = engine.writtenByThisJob(meta);
        if (engine.verify == VerifyMode.Size) {
            return new Skip("an identical object exists (same size and mtime)", false, ours, head);
        }
        // Checksum: the recorded MD5 must be the file's. The object records the ctime of the version it holds: the
        // same ctime means the file was not written since (a write, even under a restored mtime, sets it, and no call
        // sets it back), so the nightly Sync of a large tree reads no unchanged file. A Move, which deletes the file,
        // still reads it.
        if (engine.mode != MigrationMode.Move && ctime instanceof FileTime changed
                && ObjectMetadata.formatMtime(changed).equals(meta.get(ObjectMetadata.CTIME))) {
            return new Skip("an identical object exists (same size, mtime and MD5; the file's ctime is the one its"
                    + " object was made from)", true, ours, head);
        }
        // Otherwise a read of the file, but no upload
        byte[] md5 = md5Of.compute();
        if (md5 != null && Base64.getEncoder().encodeToString(md5).equals(recordedMd5)) {
            return new Skip("an identical object exists (same size, mtime and MD5)", true, ours, head);
        }
        return null;
    }

    /** The MD5 (base64) the object records ({@link CompositeETag#recordedMd5}); null when it records none. */
    static String recordedMd5(HeadObjectResponse head) {
        return CompositeETag.recordedMd5(head.metadata().get(ObjectMetadata.MD5), head.eTag());
    }

    /**
     * The file's MD5 in one sequential read; null when the file changed meanwhile. The bytes read count as the task's
     * motion: checking a 50 GiB file whose object is there reads for minutes on a slow NAS, longer than
     * {@code stallTimeout}, and a task that moved no byte for that long is taken back (and the next holder would read
     * again, for ever).
     */
    private byte[] md5Of(Path file, SourceStat stat) throws IOException {
        MessageDigest digest = Uploads.md5();
        byte[] buffer = new byte[256 << 10];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                motion.bytes(n);
            }
        }
        return SourceStat.of(file).sameVersionAs(stat) ? digest.digest() : null;
    }
}
