package dev.ferry.worker.multipart;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.FileEntry;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.task.RetryableTaskException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The multipart upload that all Parts tasks of one file share. The plan creates it before the tasks, so
 * no two holders of Parts tasks race to create one. A plan that crashed after creating it and before
 * creating the first task finds it again: the oldest upload in progress for exactly that key
 * (ListMultipartUploads), rather than leaving it behind and starting another. An upload found this
 * way may have been started by something else for the same key; that is harmless: the Parts tasks
 * upload every part of the file themselves and complete the upload with their own part list.
 */
public final class MultipartUploads {
    private static final Logger LOG = LoggerFactory.getLogger(MultipartUploads.class);

    private final Supplier<EndpointPool> store;
    private final DestinationSpec destination;
    private final Path base;
    /** Written on the upload's object ({@link ObjectMetadata#JOB}: {@code JobSettings.objectWriter}); null outside a job. */
    private final String writer;

    public MultipartUploads(Supplier<EndpointPool> store, DestinationSpec destination, Path base, String writer) {
        this.writer = writer;
        this.store = store;
        this.destination = destination;
        this.base = base;
    }

    /** An upload id, and whether this call started the upload. */
    public record Upload(String id, boolean created) {
    }

    /** The upload for {@code key}: an upload in progress for it, else a new one. */
    public Upload findOrCreate(String key, FileEntry file) {
        try {
            Optional<String> found = oldestInProgress(key);
            if (found.isPresent()) {
                LOG.info("reusing multipart upload {} of {} (started before a reassignment)", found.get(), key);
                return new Upload(found.get(), false);
            }
            FileTime mtime = mtime(file);
            String uploadId = store.get().call(s3 -> s3.createMultipartUpload(b -> b.bucket(destination.bucket)
                    .key(key).metadata(ObjectMetadata.withJob(ObjectMetadata.of(mtime, null), writer))
                    .storageClass(destination.storageClass)))
                    .uploadId();
            LOG.info("created multipart upload {} of {} for its Parts tasks", uploadId, key);
            return new Upload(uploadId, true);
        } catch (SdkException e) {
            throw new RetryableTaskException("starting the multipart upload of " + key + " failed: "
                    + S3Errors.describe(e), e);
        }
    }

    /** Aborts an upload this plan started but no task uses (another holder's tasks won the name). */
    public void abandon(String key, Upload upload) {
        if (!upload.created()) {
            return;
        }
        try {
            store.get().call(s3 -> s3.abortMultipartUpload(b -> b.bucket(destination.bucket).key(key)
                    .uploadId(upload.id())));
        } catch (SdkException e) {
            LOG.warn("could not abort the unused multipart upload {} of {}: {}", upload.id(), key, e.toString());
        }
    }

    /** The oldest unfinished upload of exactly {@code key}, in the order the store lists them. */
    private Optional<String> oldestInProgress(String key) {
        List<StoredParts.Upload> uploads = new StoredParts(store.get(), destination.bucket).uploadsOf(key);
        return uploads.stream().findFirst().map(StoredParts.Upload::uploadId);
    }

    /** The file's mtime to nanoseconds when it is still the planned version; else the planned milliseconds. */
    private FileTime mtime(FileEntry file) {
        FileTime planned = FileTime.fromMillis(file.mtime == null ? 0 : file.mtime);
        try {
            FileTime now = Files.getLastModifiedTime(base.resolve(file.readPath()));
            return now.toMillis() == planned.toMillis() ? now : planned;
        } catch (IOException e) {
            return planned; // the copy reports a vanished file
        }
    }
}
