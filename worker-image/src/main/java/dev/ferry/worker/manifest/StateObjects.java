package dev.ferry.worker.manifest;

import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.Listings;
import dev.ferry.worker.task.RetryableTaskException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Listing and removing the job's own objects under its state prefix, one page (1,000 keys) at a time. */
public final class StateObjects {
    private StateObjects() {
    }

    /** One page of the keys under {@code prefix} after {@code startAfter} (null: from the start), in the store's order. */
    public static ListObjectsV2Response page(EndpointPool s3, String bucket, String prefix, String startAfter, String token) {
        return s3.callGateway(gateway -> Listings.objects(gateway, b -> {
            b.bucket(bucket).prefix(prefix);
            if (token != null) {
                b.continuationToken(token);
            } else if (startAfter != null) {
                b.startAfter(startAfter);
            }
        }));
    }

    /** Every key under {@code prefix}: for folders that stay small (the audit's findings). */
    public static List<String> keys(EndpointPool s3, String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Response page = page(s3, bucket, prefix, null, token);
            page.contents().stream().map(S3Object::key).forEach(keys::add);
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }

    /** Removes every object under {@code prefix}, a page at a time with one DeleteObjects per page. */
    public static long removeAll(EndpointPool s3, String bucket, String prefix) {
        long removed = 0;
        while (true) {
            ListObjectsV2Response page = page(s3, bucket, prefix, null, null);
            List<ObjectIdentifier> keys = filesBeforeFolders(page.contents().stream().map(S3Object::key).toList(),
                    !Boolean.TRUE.equals(page.isTruncated())).stream()
                    .map(key -> ObjectIdentifier.builder().key(key).build()).toList();
            if (keys.isEmpty()) {
                return removed;
            }
            try {
                DeleteObjectsResponse response = s3.call(c -> c.deleteObjects(b -> b.bucket(bucket)
                        .delete(d -> d.objects(keys).quiet(true))));
                if (response.hasErrors() && !response.errors().isEmpty()) {
                    // listed again, they would be deleted again for ever
                    S3Error first = response.errors().get(0);
                    throw new RetryableTaskException("removing " + response.errors().size() + " object(s) under " + prefix
                            + " failed, e.g. " + first.key() + ": " + first.code() + " " + first.message());
                }
            } catch (S3Exception e) {
                if (e.statusCode() / 100 != 4 && e.statusCode() != 501) {
                    throw e;
                }
                // A store without multi-object delete, or one older than S3's flexible checksums: the SDK
                // sends DeleteObjects with x-amz-checksum-crc32 whatever it is told, and S3Proxy run as it
                // runs by default answers 501 NotImplemented (S3ProxyServer, strict, holds AuditIT to it).
                // One DeleteObject at a time needs no checksum.
                for (ObjectIdentifier key : keys) {
                    s3.call(c -> c.deleteObject(b -> b.bucket(bucket).key(key.key())));
                }
            }
            removed += keys.size();
        }
    }

    /**
     * The order to delete a page of {@code keys} in: the objects first, then the keys ending in {@code /}, deepest
     * first. A store that keeps objects as files (S3Proxy's filesystem store, a gateway in front of a NAS) lists
     * each folder as such a key, and asked to delete a folder that still holds files it retries for 10 s before
     * it gives up on it; emptied first, the folder goes at once. Folders are left for a page that holds every
     * remaining key ({@code wholeRest}): the files of one may still be on the next page. Folders alone are
     * deleted anyway, so that a listing of nothing else cannot keep this from ending.
     */
    static List<String> filesBeforeFolders(List<String> keys, boolean wholeRest) {
        List<String> files = keys.stream().filter(k -> !k.endsWith("/")).toList();
        List<String> folders = new ArrayList<>(keys.stream().filter(k -> k.endsWith("/")).toList());
        if (!wholeRest && !files.isEmpty()) {
            return files;
        }
        folders.sort(Comparator.reverseOrder());
        List<String> ordered = new ArrayList<>(files);
        ordered.addAll(folders);
        return ordered;
    }
}
