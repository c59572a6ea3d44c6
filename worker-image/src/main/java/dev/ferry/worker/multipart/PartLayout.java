package dev.ferry.worker.multipart;

import dev.ferry.api.PartsScope;

/**
 * How a file of {@code fileSize} bytes is cut into parts of {@code partSize}, and how those parts are
 * grouped into Parts tasks of {@code partsPerTask} whole parts each. Part n (1-based) starts at
 * {@code (n - 1) * partSize}; the last one holds the remainder. A file copied by one holder is one
 * group of all its parts.
 *
 * <p>For Parts tasks the part size is the copy engine's rule ({@link PartSizes}: {@code
 * spec.workers.partSize} if set, else at least 8 MiB and at most 10,000 parts) and a task is about a
 * quarter of {@code splitFileSize}, at least one part. A 1 GiB file with 8 MiB parts and the default
 * split size of 1 GiB is 128 parts in 4 tasks of 32; a file of exactly the split size is always spread
 * over about four workers.
 */
public record PartLayout(long fileSize, long partSize, int partsPerTask) {

    public PartLayout {
        if (partSize <= 0 || fileSize < 0 || partsPerTask <= 0) {
            throw new IllegalArgumentException("part size " + partSize + ", file size " + fileSize
                    + ", parts per task " + partsPerTask);
        }
    }

    /** The parts of a file that one holder uploads whole. */
    public static PartLayout of(long fileSize, long partSize) {
        return new PartLayout(fileSize, partSize, PartSizes.partCount(fileSize, partSize));
    }

    /** The layout of a huge file spread over Parts tasks. */
    public static PartLayout forPartsTasks(long fileSize, Long configuredPartSize, long splitFileSize) {
        long partSize = PartSizes.partSize(fileSize, configuredPartSize);
        int totalParts = PartSizes.partCount(fileSize, partSize);
        long perTask = Math.max(1, (splitFileSize / 4) / partSize);
        return new PartLayout(fileSize, partSize, (int) Math.min(perTask, totalParts));
    }

    /** The layout an existing Parts task was created with (its spec is the truth on a resumed plan). */
    public static PartLayout of(PartsScope parts) {
        int perTask = parts.lastPart - parts.firstPart + 1;
        return new PartLayout(parts.file.sizeOrZero(), parts.partSize, perTask);
    }

    /** How many parts the file has. */
    public int count() {
        return PartSizes.partCount(fileSize, partSize);
    }

    public long offset(int partNumber) {
        return (partNumber - 1) * partSize;
    }

    public int length(int partNumber) {
        return (int) Math.min(partSize, fileSize - offset(partNumber));
    }

    /** Bytes of the parts {@code first..last}. */
    public long bytes(int first, int last) {
        return offset(last) + length(last) - offset(first);
    }

    /** Worth splitting into Parts tasks: at least two parts (a file of one part is a single PUT in a Copy task). */
    public boolean split() {
        return count() >= 2;
    }

    /** How many Parts tasks the file is. */
    public int tasks() {
        return (count() + partsPerTask - 1) / partsPerTask;
    }

    /** Which task (0-based) a range starting at {@code firstPart} is. */
    public int taskOf(int firstPart) {
        return (firstPart - 1) / partsPerTask;
    }

    public int firstPart(int task) {
        return task * partsPerTask + 1;
    }

    public int lastPart(int task) {
        return Math.min(count(), (task + 1) * partsPerTask);
    }

    /** Bytes of Parts task {@code task} (0-based). */
    public long taskBytes(int task) {
        return bytes(firstPart(task), lastPart(task));
    }
}
