package dev.ferry.worker.copy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Which of a task's keys already exist at the destination, learnt from a few ListObjectsV2 pages over
 * the task's key range instead of one HEAD per file. On a first run nearly every key is absent, and
 * the skip-identical check then costs nothing per file; only keys that exist with the file's size still
 * need their HEAD (the listing has no user metadata, so it cannot show mtime or md5chksum).
 *
 * <p>S3 lists keys in UTF-8 binary order, which is code-point order; the range is walked from just
 * below the task's lowest key and stops past its highest, or after {@link #pagesFor} pages — a key
 * beyond what was listed is {@link Presence#UNKNOWN} and gets its HEAD as before. Only keys of the
 * task are kept, so memory is bounded by the task's size.
 */
final class ExistingObjects {
    private static final Logger LOG = LoggerFactory.getLogger(ExistingObjects.class);
    static final int PAGE_SIZE = 1000;
    /** Nothing is known: every key gets a HEAD (the behaviour without a listing). */
    static final ExistingObjects UNKNOWN = new ExistingObjects(Map.of(), null);

    enum Presence { ABSENT, PRESENT, UNKNOWN }

    /** UTF-8 binary order, the order of S3 listings (Java's String order differs above U+FFFF). */
    static final Comparator<String> S3_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final Map<String, Long> sizes;
    /** Every key up to this one (inclusive, S3 order) was listed; null: nothing was. */
    private final String listedThrough;

    private ExistingObjects(Map<String, Long> sizes, String listedThrough) {
        this.sizes = sizes;
        this.listedThrough = listedThrough;
    }

    /** Lists the range of {@code keys}; a failing listing is not an error, it only means HEADs. */
    static ExistingObjects list(CopyEngine engine, Collection<String> keys) {
        return list(engine, keys, PAGE_SIZE);
    }

    static ExistingObjects list(CopyEngine engine, Collection<String> keys, int pageSize) {
        if (keys.isEmpty()) {
            return UNKNOWN;
        }
        try {
            return listRange(engine, keys, pageSize);
        } catch (SdkException e) {
            LOG.info("could not list the destination ({}): checking each file with a HEAD", e.toString());
            return UNKNOWN;
        }
    }

    private static ExistingObjects listRange(CopyEngine engine, Collection<String> keys, int pageSize) {
        List<String> sorted = keys.stream().sorted(S3_ORDER).toList();
        String lowest = sorted.get(0);
        String highest = sorted.get(sorted.size() - 1);
        String prefix = commonPrefix(lowest, highest);
        String startAfter = withoutLastCodePoint(lowest);
        Set<String> wanted = new HashSet<>(keys);
        Map<String, Long> sizes = new HashMap<>();
        String token = null;
        String listedThrough = startAfter;
        for (int page = 0; page < pagesFor(keys.size(), pageSize); page++) {
            String continuation = token;
            ListObjectsV2Response response = engine.s3.call(s3 -> s3.listObjectsV2(b -> {
                b.bucket(engine.bucket).prefix(prefix).maxKeys(pageSize);
                if (continuation != null) {
                    b.continuationToken(continuation);
                } else if (!startAfter.isEmpty()) {
                    b.startAfter(startAfter);
                }
            }));
            for (S3Object object : response.contents()) {
                if (S3_ORDER.compare(object.key(), highest) > 0) {
                    return new ExistingObjects(sizes, highest);
                }
                if (wanted.contains(object.key())) {
                    sizes.put(object.key(), object.size());
                }
                listedThrough = object.key();
            }
            if (!Boolean.TRUE.equals(response.isTruncated())) {
                return new ExistingObjects(sizes, highest);
            }
            token = response.nextContinuationToken();
        }
        // the range holds many keys that are not this task's: the rest is checked one by one
        return new ExistingObjects(sizes, listedThrough);
    }

    /** A task's keys fill about one page per page size; keys of others in its range may add some. */
    static int pagesFor(int keys, int pageSize) {
        return keys / pageSize + 3;
    }

    Presence presence(String key) {
        if (sizes.containsKey(key)) {
            return Presence.PRESENT;
        }
        if (listedThrough == null || S3_ORDER.compare(key, listedThrough) > 0) {
            return Presence.UNKNOWN;
        }
        return Presence.ABSENT;
    }

    /**
     * The listed size of a present key; null when the listing gave none (S3Proxy's filesystem store lists
     * a directory marker {@code dir/} without a size).
     */
    Long size(String key) {
        return sizes.get(key);
    }

    static String commonPrefix(String a, String b) {
        int n = 0;
        int max = Math.min(a.length(), b.length());
        while (n < max && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        if (n > 0 && Character.isHighSurrogate(a.charAt(n - 1))) {
            n--;
        }
        return a.substring(0, n);
    }

    /** The greatest string we can name that sorts below {@code key}: the key without its last character. */
    static String withoutLastCodePoint(String key) {
        return key.isEmpty() ? key : key.substring(0, key.offsetByCodePoints(key.length(), -1));
    }
}
