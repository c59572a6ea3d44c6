package dev.ferry.worker.manifest;

import dev.ferry.api.FileEntry;
import dev.ferry.api.ManifestRef;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.task.RetryableTaskException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A task's file list kept as an object, so that etcd holds only small tasks. A Copy task with more than
 * {@link #INLINE_MAX_FILES} files carries {@code spec.manifest} instead of {@code spec.files}: the list as
 * JSON lines of {@link FileEntry}, in the order of the task, under
 * {@code <prefix>/.ferry/<job-uid>/manifests/<task>-<content hash>.jsonl}.
 *
 * <p>The plan writes the object before it creates the task, so a task never refers to a missing
 * manifest. The key holds the task's name and a hash of the content: a re-run of the plan writes the
 * same bytes to the same key, and a plan that lost its task (a zombie writing beside the new holder) can
 * never change the list under a task that already exists — a different list gets a different key.
 * A Copy task that Succeeded removes its manifest (it never runs again); a Failed task keeps it as the
 * list of what it did not migrate.
 */
public final class Manifests {
    /**
     * Most files a task carries inline. About 50 entries keep a task object near 10 KiB even with long
     * paths; etcd's limit is 1.5 MiB per object, and watch traffic grows with every byte.
     */
    public static final int INLINE_MAX_FILES = MigrationTaskSpec.MAX_INLINE_FILES;

    private Manifests() {
    }

    public static boolean inline(List<FileEntry> files) {
        return files.size() <= INLINE_MAX_FILES;
    }

    /** Stores the list for task {@code taskName} (an idempotent PUT) and returns the reference to put in its spec. */
    public static ManifestRef write(EndpointPool s3, MigrationJob job, String taskName, List<FileEntry> files) {
        byte[] content = encode(files);
        String key = StatePrefix.manifests(job) + taskName + "-" + contentHash(content) + ".jsonl";
        String md5 = Base64.getEncoder().encodeToString(digest("MD5", content));
        String bucket = job.getSpec().destination.bucket;
        try {
            s3.call(c -> c.putObject(b -> b.bucket(bucket).key(key).contentLength((long) content.length)
                    .contentMD5(md5).contentType(JsonLines.CONTENT_TYPE), RequestBody.fromBytes(content)));
        } catch (SdkException e) {
            throw new RetryableTaskException("writing the manifest " + key + " failed: " + S3Errors.describe(e), e);
        }
        ManifestRef ref = new ManifestRef();
        ref.key = key;
        ref.files = files.size();
        ref.bytes = files.stream().mapToLong(FileEntry::sizeOrZero).sum();
        return ref;
    }

    /**
     * Reads a task's list back. A store failure, a missing object or a list that does not match the
     * reference's count is a task-level error: the task goes back to Pending (bounded by maxAttempts).
     */
    public static List<FileEntry> read(EndpointPool s3, String bucket, ManifestRef ref) {
        byte[] content;
        try {
            content = s3.call(c -> c.getObjectAsBytes(b -> b.bucket(bucket).key(ref.key))).asByteArray();
        } catch (SdkException e) {
            throw new RetryableTaskException("reading the manifest " + ref.key + " failed: " + S3Errors.describe(e), e);
        }
        List<FileEntry> files = decode(content);
        if (ref.files != null && ref.files != files.size()) {
            throw new RetryableTaskException("the manifest " + ref.key + " lists " + files.size()
                    + " files, its task says " + ref.files);
        }
        return files;
    }

    static byte[] encode(List<FileEntry> files) {
        return JsonLines.encode(files);
    }

    static List<FileEntry> decode(byte[] content) {
        try {
            return JsonLines.decode(new ByteArrayInputStream(content), FileEntry.class);
        } catch (IOException e) {
            throw new RetryableTaskException("a manifest is not JSON lines of files: " + e.getMessage(), e);
        }
    }

    /** 16 hex digits of the content's SHA-256: enough to tell two lists of one task apart. */
    static String contentHash(byte[] content) {
        return HexFormat.of().formatHex(digest("SHA-256", content), 0, 8);
    }

    private static byte[] digest(String algorithm, byte[] content) {
        try {
            return MessageDigest.getInstance(algorithm).digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no " + algorithm, e);
        }
    }
}
