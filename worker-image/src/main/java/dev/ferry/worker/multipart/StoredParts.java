package dev.ferry.worker.multipart;

import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.Listings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What the store holds of unfinished multipart uploads: the uploads of one key
 * (ListMultipartUploads) and the parts of one upload (ListParts), each read through all its pages.
 *
 * <p>A store or policy that does not allow listing uploads (403, or 501 for a call it does not
 * implement) is not an error here: nothing is found, and the copy starts a fresh upload as before.
 */
public final class StoredParts {
    private static final Logger LOG = LoggerFactory.getLogger(StoredParts.class);
    /** Listings in a row that must miss an upload before it is taken as gone ({@link #gone}). */
    static final int LISTINGS_TO_CONFIRM_GONE = 3;
    static final Duration BETWEEN_LISTINGS = Duration.ofMillis(200);

    /** One part the store has: its size and its ETag without quotes (the hex MD5 of its bytes on S3). */
    public record StoredPart(int number, long size, String eTag) {
    }

    /** An unfinished upload of a key. */
    public record Upload(String uploadId, Instant initiated) {
    }

    private final EndpointPool store;
    private final String bucket;

    public StoredParts(EndpointPool s3, String bucket) {
        this.store = s3;
        this.bucket = bucket;
    }

    /**
     * The unfinished uploads of exactly {@code key} (the listing is by prefix), oldest first. S3 lists
     * the uploads of one key in the order they were started; the stable sort keeps that order for
     * stores whose {@code Initiated} is not meaningful. Empty when the store refuses to list them.
     */
    public List<Upload> uploadsOf(String key) {
        List<Upload> uploads = listUploads(key);
        return uploads == null ? List.of() : uploads;
    }

    /**
     * Whether {@code uploadId} is no longer an unfinished upload of {@code key}: completed or aborted.
     * One listing that misses it is not believed, since what follows (the file taken as lost, or a
     * sibling's object looked for) is not undone: S3Proxy's filesystem store lists uploads by walking
     * the directory their parts are written into, and a listing made while a part is being written
     * there can leave the upload out (about once in 500 listings with three writers). Gone is when
     * {@link #LISTINGS_TO_CONFIRM_GONE} listings in a row, {@link #BETWEEN_LISTINGS} apart, miss it.
     * False when the store cannot tell (an error, or it refuses to list uploads).
     */
    public boolean gone(String key, String uploadId) throws InterruptedException {
        for (int listing = 1; ; listing++) {
            if (listed(key, uploadId)) {
                return false;
            }
            if (listing == LISTINGS_TO_CONFIRM_GONE) {
                return true;
            }
            LOG.info("upload {} of {} is missing from a listing of uploads; listing again to be sure", uploadId, key);
            Thread.sleep(BETWEEN_LISTINGS.toMillis());
        }
    }

    /** Whether one listing shows {@code uploadId} as an upload of {@code key}; true when the store cannot tell. */
    public boolean listed(String key, String uploadId) {
        List<Upload> uploads;
        try {
            uploads = listUploads(key);
        } catch (SdkException e) {
            LOG.warn("could not list the uploads of {} ({}): taking upload {} as present", key, e.toString(), uploadId);
            return true;
        }
        return uploads == null || uploads.stream().anyMatch(u -> u.uploadId().equals(uploadId));
    }

    /** The uploads of {@code key}, oldest first; null when the store refuses to list them. */
    private List<Upload> listUploads(String key) {
        List<Upload> uploads = new ArrayList<>();
        String keyMarker = null;
        String uploadIdMarker = null;
        try {
            while (true) {
                String km = keyMarker;
                String um = uploadIdMarker;
                ListMultipartUploadsResponse page = store.call(s3 -> Listings.uploads(s3, b -> {
                    b.bucket(bucket).prefix(key);
                    if (km != null) {
                        b.keyMarker(km).uploadIdMarker(um);
                    }
                }));
                for (MultipartUpload u : page.uploads()) {
                    if (key.equals(u.key())) {
                        uploads.add(new Upload(u.uploadId(), u.initiated()));
                    }
                }
                if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextKeyMarker() == null) {
                    break;
                }
                keyMarker = page.nextKeyMarker();
                uploadIdMarker = page.nextUploadIdMarker();
            }
        } catch (S3Exception e) {
            if (!listingRefused(e)) {
                throw e;
            }
            LOG.warn("the store refuses to list multipart uploads ({}): {} cannot be resumed", e.statusCode(), key);
            return null;
        }
        uploads.sort(Comparator.comparing(Upload::initiated, Comparator.nullsLast(Comparator.naturalOrder())));
        return uploads;
    }

    /**
     * The parts of an upload by number; null when the store could not list them (which only means
     * "unknown": every part is then sent, and completion is left to a later listing). An upload that
     * no longer exists answers 404 (S3: NoSuchUpload; S3Proxy's filesystem store: NoSuchKey), which
     * is thrown for the caller to see that the upload is gone ({@link #isNoSuchUpload}).
     */
    public Map<Integer, StoredPart> partsOf(String key, String uploadId) {
        Map<Integer, StoredPart> parts = new TreeMap<>();
        Integer marker = null;
        try {
            while (true) {
                Integer m = marker;
                ListPartsResponse page = store.call(s3 -> s3.listParts(b -> {
                    b.bucket(bucket).key(key).uploadId(uploadId);
                    if (m != null) {
                        b.partNumberMarker(m);
                    }
                }));
                for (Part p : page.parts()) {
                    parts.put(p.partNumber(), new StoredPart(p.partNumber(), p.size() == null ? -1 : p.size(),
                            CompositeETag.unquoted(p.eTag())));
                }
                if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextPartNumberMarker() == null
                        || page.nextPartNumberMarker().equals(marker)) {
                    break;
                }
                marker = page.nextPartNumberMarker();
            }
        } catch (SdkException e) {
            if (isNoSuchUpload(e)) {
                throw e;
            }
            // S3Proxy answers 400 or 500 while another holder writes a part of the upload
            LOG.warn("could not list the parts of {} (upload {}): {}", key, uploadId, e.toString());
            return null;
        }
        return parts;
    }

    /** A 404 to a request about an upload: the upload was completed or aborted. */
    public static boolean isNoSuchUpload(Throwable e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 404 && !(s3.awsErrorDetails() != null
                && "NoSuchBucket".equals(s3.awsErrorDetails().errorCode()));
    }

    private static boolean listingRefused(S3Exception e) {
        return e.statusCode() == 403 || e.statusCode() == 405 || e.statusCode() == 501;
    }
}
