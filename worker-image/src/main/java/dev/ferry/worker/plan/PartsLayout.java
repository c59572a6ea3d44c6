package dev.ferry.worker.plan;

import dev.ferry.api.PartsScope;
import dev.ferry.worker.copy.PartSizes;

/**
 * How a huge file is cut into Parts tasks: parts of {@code partSize} (the copy engine's rule,
 * {@link PartSizes}: {@code spec.workers.partSize} if set, else at least 8 MiB and at most 10,000 parts),
 * grouped into tasks of {@code partsPerTask} whole parts — about a quarter of {@code splitFileSize} each,
 * at least one part. A 1 GiB file with 8 MiB parts and the default split size of 1 GiB is 128 parts in 4
 * tasks of 32; a file of exactly the split size is always spread over about four workers.
 */
record PartsLayout(long fileSize, long partSize, int totalParts, int partsPerTask) {

    static PartsLayout plan(long fileSize, Long configuredPartSize, long splitFileSize) {
        long partSize = PartSizes.partSize(fileSize, configuredPartSize);
        int totalParts = PartSizes.partCount(fileSize, partSize);
        long perTask = Math.max(1, (splitFileSize / 4) / partSize);
        return new PartsLayout(fileSize, partSize, totalParts, (int) Math.min(perTask, totalParts));
    }

    /** The layout an existing Parts task was created with (its spec is the truth on a resumed plan). */
    static PartsLayout of(PartsScope parts) {
        int perTask = parts.lastPart - parts.firstPart + 1;
        return new PartsLayout(parts.file.sizeOrZero(), parts.partSize, parts.totalParts, perTask);
    }

    /** Worth splitting: at least two parts (a file of one part is a single PUT in a Copy task). */
    boolean split() {
        return totalParts >= 2;
    }

    int tasks() {
        return (totalParts + partsPerTask - 1) / partsPerTask;
    }

    /** Which task (0-based) a range starting at {@code firstPart} is. */
    int taskOf(int firstPart) {
        return (firstPart - 1) / partsPerTask;
    }

    int firstPart(int task) {
        return task * partsPerTask + 1;
    }

    int lastPart(int task) {
        return Math.min(totalParts, (task + 1) * partsPerTask);
    }

    long bytes(int task) {
        long from = (long) (firstPart(task) - 1) * partSize;
        long to = Math.min(fileSize, (long) lastPart(task) * partSize);
        return to - from;
    }
}
