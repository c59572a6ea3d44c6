package dev.ferry.worker.copy;

/**
 * How a file of {@code fileSize} bytes is cut into parts of {@code partSize}: part n (1-based) starts
 * at {@code (n - 1) * partSize}; the last one holds the remainder.
 */
record PartLayout(long fileSize, long partSize) {

    PartLayout {
        if (partSize <= 0 || fileSize < 0) {
            throw new IllegalArgumentException("part size " + partSize + ", file size " + fileSize);
        }
    }

    int count() {
        return PartSizes.partCount(fileSize, partSize);
    }

    long offset(int partNumber) {
        return (partNumber - 1) * partSize;
    }

    int length(int partNumber) {
        return (int) Math.min(partSize, fileSize - offset(partNumber));
    }

    /** Bytes of the parts {@code first..last}. */
    long bytes(int first, int last) {
        return offset(last) + length(last) - offset(first);
    }
}
