package dev.ferry.worker.copy;

import dev.ferry.api.OverwritePolicy;
import dev.ferry.worker.RetryableTaskException;
import dev.ferry.worker.StopSignal;
import dev.ferry.worker.s3.ObjectKeys;
import dev.ferry.worker.s3.S3Errors;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Copies one file to its key and says what happened. The decisions live here (key length, overwrite
 * policy, a source that changes while read, which errors are the file's and which the task's); the
 * bytes move in {@link Uploads}.
 */
public final class FileCopier {
    private static final Logger LOG = LoggerFactory.getLogger(FileCopier.class);

    private final CopyEngine engine;
    private final Uploads uploads;
    private final ObjectVerifier verifier;

    public FileCopier(CopyEngine engine) {
        this(engine, StopSignal.NEVER);
    }

    /**
     * A copier for a task that may have to stop: a multipart copy then stops between parts and throws
     * {@link CopyHalted}, leaving its upload for the next holder.
     */
    public FileCopier(CopyEngine engine, StopSignal halt) {
        this.engine = engine;
        this.uploads = new Uploads(engine, halt);
        this.verifier = new ObjectVerifier(engine);
    }

    /**
     * Copies {@code file} (whose path relative to the source is {@code relativePath}). Per-file
     * problems come back as a failed outcome; a problem of the store as a whole is thrown as
     * {@link RetryableTaskException}.
     */
    public FileOutcome copy(String relativePath, Path file) throws InterruptedException {
        return copy(relativePath, file, ExistingObjects.UNKNOWN);
    }

    /** As {@link #copy(String, Path)}, knowing from a listing which keys exist (see {@link ExistingObjects}). */
    FileOutcome copy(String relativePath, Path file, ExistingObjects existing) throws InterruptedException {
        String key = ObjectKeys.keyOf(engine.prefix, relativePath);
        if (!ObjectKeys.encodable(key)) {
            return FileOutcome.failed(relativePath, FailureCodes.NAME_NOT_ENCODABLE,
                    "the file name has no UTF-8 form (invalid in the filesystem's encoding)");
        }
        if (ObjectKeys.tooLong(key)) {
            return FileOutcome.failed(relativePath, FailureCodes.KEY_TOO_LONG,
                    "the object key would exceed " + ObjectKeys.MAX_KEY_BYTES + " UTF-8 bytes");
        }
        try {
            for (int attempt = 1; ; attempt++) {
                SourceStat before = SourceStat.of(file);
                if (!before.regularFile()) {
                    return FileOutcome.failed(relativePath, FailureCodes.NOT_A_REGULAR_FILE,
                            "no longer a regular file");
                }
                if (attempt == 1) {
                    String skip = existingObjectMakesUploadUnnecessary(key, before, existing);
                    if (skip != null) {
                        return FileOutcome.skipped(relativePath, skip);
                    }
                }
                Uploads.Stored stored = uploads.upload(file, key, before);
                if (stored != null) {
                    return verified(relativePath, key, stored);
                }
                if (attempt >= 2) {
                    return FileOutcome.failed(relativePath, FailureCodes.SOURCE_CHANGED,
                            "the file changed while it was read, twice");
                }
                LOG.info("{} changed while it was read: reading it again", relativePath);
            }
        } catch (NoSuchFileException e) {
            return FileOutcome.failed(relativePath, FailureCodes.SOURCE_VANISHED, "the file no longer exists");
        } catch (AccessDeniedException e) {
            return FileOutcome.failed(relativePath, FailureCodes.ACCESS_DENIED, "permission denied: " + e.getMessage());
        } catch (IOException e) {
            return FileOutcome.failed(relativePath, FailureCodes.SOURCE_READ_ERROR, e.toString());
        } catch (SdkException e) {
            S3Errors.ErrorClass error = S3Errors.classify(e);
            if (error.retryable()) {
                throw new RetryableTaskException("uploading " + relativePath + " failed: " + S3Errors.describe(e), e);
            }
            return FileOutcome.failed(relativePath, error.code(), S3Errors.describe(e));
        }
    }

    /**
     * Copied when the object proves to be the file; otherwise failed, and the object is deleted so
     * that nothing (a re-run with {@code IfDifferent}, a later Move) takes it for a copy of the file.
     */
    private FileOutcome verified(String relativePath, String key, Uploads.Stored stored) {
        engine.hooks.beforeVerify(key);
        String mismatch = verifier.mismatch(key, stored);
        if (mismatch == null) {
            return FileOutcome.copied(relativePath, stored.size(), stored.partsUploaded(), stored.partsReused());
        }
        LOG.warn("{} failed verification ({}): deleting the object", relativePath, mismatch);
        engine.s3.call(s3 -> s3.deleteObject(b -> b.bucket(engine.bucket).key(key)));
        return FileOutcome.failed(relativePath, FailureCodes.VERIFY_MISMATCH, mismatch);
    }

    /** Why the upload can be skipped, or null when it must happen. */
    private String existingObjectMakesUploadUnnecessary(String key, SourceStat stat, ExistingObjects existing) {
        if (engine.overwrite == OverwritePolicy.Always) {
            return null;
        }
        switch (existing.presence(key)) {
            case ABSENT:
                return null;
            case PRESENT:
                if (engine.overwrite == OverwritePolicy.Never) {
                    return "the object exists (overwrite: Never)";
                }
                if (existing.size(key) != stat.size()) {
                    return null;
                }
                break;
            default:
                break;
        }
        HeadObjectResponse head;
        try {
            head = engine.s3.call(s3 -> s3.headObject(b -> b.bucket(engine.bucket).key(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
        if (engine.overwrite == OverwritePolicy.Never) {
            return "the object exists (overwrite: Never)";
        }
        Map<String, String> meta = head.metadata();
        boolean sameSize = head.contentLength() != null && head.contentLength() == stat.size();
        // an object without md5chksum was left half-done (completed, metadata not yet set): redo it
        if (sameSize && ObjectMetadata.sameMtime(meta.get(ObjectMetadata.MTIME), stat.mtime())
                && meta.containsKey(ObjectMetadata.MD5)) {
            return "an identical object exists (same size and mtime)";
        }
        return null;
    }
}
