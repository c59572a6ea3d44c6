package dev.ferry.worker.plan;

import dev.ferry.api.FileEntry;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.ObjectMetadata;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Whether a file big enough for Parts tasks may be at the destination already, as it is: then the plan puts it into
 * a Copy task instead, whose holder skips it when the object is the file (size and mtime, and with
 * {@code verify: Checksum} the MD5 read from the file: a read, no upload) and uploads it otherwise, as one resumable
 * multipart copy. Parts tasks never skip: they upload every range of the file, so without this every later run of a
 * scheduled job (a Sync) uploaded every unchanged huge file again.
 *
 * <p>One HEAD of the key per huge file, none when the run overwrites everything ({@code Always}) or when the plan's
 * folder was empty at its start ({@link FreshDestination}). A HEAD that fails is taken as "not there": the Parts tasks
 * then copy the file, which loses nothing.
 */
final class UnchangedHugeFiles {
    private static final Logger LOG = LoggerFactory.getLogger(UnchangedHugeFiles.class);

    private final OverwritePolicy overwrite;
    private final boolean freshDestination;
    private final String bucket;
    private final Supplier<EndpointPool> store;

    /** {@code overwrite} is the run's (Sync's is IfDifferent, whatever the spec says). */
    UnchangedHugeFiles(OverwritePolicy overwrite, boolean freshDestination, String bucket,
                       Supplier<EndpointPool> store) {
        this.overwrite = overwrite;
        this.freshDestination = freshDestination;
        this.bucket = bucket;
        this.store = store;
    }

    /**
     * True when {@code key} holds an object the run may keep for {@code entry}: any object under {@code Never}; under
     * {@code IfDifferent} one of the file's size and mtime that records its MD5 ({@link CompositeETag#recordedMd5}: not
     * one Ferry left half-done).
     */
    boolean mayBeStored(String key, FileEntry entry) {
        if (overwrite == OverwritePolicy.Always || freshDestination) {
            return false;
        }
        HeadObjectResponse head = headOrNull(key);
        if (head == null) {
            return false;
        }
        if (overwrite == OverwritePolicy.Never) {
            return true;
        }
        Map<String, String> meta = head.metadata();
        Long storedMtime = ObjectMetadata.mtimeMillis(meta.get(ObjectMetadata.MTIME));
        boolean same = head.contentLength() != null && head.contentLength() == entry.sizeOrZero()
                && storedMtime != null && entry.mtime != null && storedMtime.longValue() == entry.mtime
                && CompositeETag.recordedMd5(meta.get(ObjectMetadata.MD5), head.eTag()) != null;
        if (same) {
            LOG.info("{} is at the destination with the file's size and mtime: a Copy task checks it instead of"
                    + " Parts tasks uploading it again", key);
        }
        return same;
    }

    private HeadObjectResponse headOrNull(String key) {
        try {
            return store.get().callGateway(gateway -> gateway.headObject(bucket, key));
        } catch (SdkException e) {
            if (!(e instanceof S3Exception answered && answered.statusCode() == 404)) {
                LOG.info("could not look for {} at the destination ({}): its Parts tasks copy it", key, e.toString());
            }
            return null;
        }
    }
}
