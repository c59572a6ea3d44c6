package dev.ferry.worker.multipart;

import dev.ferry.api.WorkersSpec;

/**
 * Chooses the multipart part size of a file, and which files are one PUT: with a configured part size,
 * files up to it; without one, files up to {@link #SINGLE_PUT_MAX} (64 MiB), as rclone sends files below
 * its 200 MiB cutoff in one request — one request, no completion, and the whole-file MD5 travels as
 * Content-MD5 and md5chksum at once. Without a
 * configured size the part is at least 8 MiB and large enough to stay within S3's 10,000 parts,
 * rounded up to a whole MiB. A configured size is honoured within S3's limits (at least 5 MiB) and
 * the worker's (at most 1 GiB: a part is buffered in memory to compute its Content-MD5), and is raised
 * when it would need more than 10,000 parts.
 */
public final class PartSizes {
    public static final long MIB = 1L << 20;
    public static final long DEFAULT_MIN = 8 * MIB;
    public static final long S3_MIN = WorkersSpec.MIN_PART_SIZE;
    public static final long MAX = WorkersSpec.MAX_PART_SIZE;
    public static final int MAX_PARTS = 10_000;
    /** S3's largest part, and the largest object one CopyObject copies. */
    public static final long S3_PART_MAX = 5L << 30;
    /** Largest single PUT without a configured part size (S3Proxy accepts signed bodies up to 128 MiB). */
    public static final long SINGLE_PUT_MAX = 64 * MIB;

    private PartSizes() {
    }

    public static long partSize(long fileSize, Long configured) {
        long forCount = roundUpToMib(ceilDiv(fileSize, MAX_PARTS));
        if (configured == null) {
            return Math.max(DEFAULT_MIN, forCount);
        }
        long size = Math.min(MAX, Math.max(S3_MIN, configured));
        return Math.max(size, forCount);
    }

    /** True when {@code fileSize} goes in one PUT rather than a multipart upload. */
    public static boolean singlePut(long fileSize, Long configured) {
        long partSize = partSize(fileSize, configured);
        return fileSize <= (configured == null ? Math.max(partSize, SINGLE_PUT_MAX) : partSize);
    }

    /**
     * The part size of a server-side multipart copy of an object of {@code size} bytes onto itself
     * (UploadPartCopy): {@code preferred} (the size the object was uploaded with, so its composite ETag
     * stays the same) when it is valid for S3 — 5 MiB to 5 GiB, at most 10,000 parts; a copied part is
     * never buffered here, so the worker's 1 GiB bound does not apply. Otherwise the smallest whole MiB,
     * at least 5 MiB, that stays within 10,000 parts.
     */
    public static long copyPartSize(long size, long preferred) {
        if (preferred >= S3_MIN && preferred <= S3_PART_MAX && partCount(size, preferred) <= MAX_PARTS) {
            return preferred;
        }
        return Math.max(S3_MIN, roundUpToMib(ceilDiv(size, MAX_PARTS)));
    }

    public static int partCount(long fileSize, long partSize) {
        return (int) Math.max(1, ceilDiv(fileSize, partSize));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long roundUpToMib(long bytes) {
        return ceilDiv(bytes, MIB) * MIB;
    }
}
