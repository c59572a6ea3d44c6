package dev.ferry.worker.copy;

/**
 * Chooses the multipart part size of a file. A file up to the part size is one PUT. Without a
 * configured size the part is at least 8 MiB and large enough to stay within S3's 10,000 parts,
 * rounded up to a whole MiB. A configured size is honoured within S3's limits (at least 5 MiB) and
 * the worker's (at most 1 GiB: a part is buffered in memory to compute its Content-MD5), and is raised
 * when it would need more than 10,000 parts.
 */
public final class PartSizes {
    public static final long MIB = 1L << 20;
    public static final long DEFAULT_MIN = 8 * MIB;
    public static final long S3_MIN = 5 * MIB;
    public static final long MAX = 1024 * MIB;
    public static final int MAX_PARTS = 10_000;

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
