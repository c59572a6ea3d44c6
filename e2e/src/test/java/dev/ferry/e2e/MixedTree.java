package dev.ferry.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A reproducible tree of mixed sizes for fault runs: many small files in nested directories, some of a few
 * MiB, some above the multipart part size and some above the Parts split size, so every copy path is hit.
 *
 * @param small files of 1 B–16 KiB
 * @param medium files of 256 KiB–4 MiB (one PUT)
 * @param multipart files of 10–24 MiB (several parts at an 8 MiB part size)
 * @param split files of 40–48 MiB (Parts tasks at a 32 MiB split size)
 */
record MixedTree(int small, int medium, int multipart, int split) {
    static final long MIB = 1 << 20;

    int files() {
        return small + medium + multipart + split;
    }

    /** Writes the tree under {@code root}; returns its size in bytes. */
    long writeTo(Path root, long seed) throws IOException {
        Random random = new Random(seed);
        long bytes = 0;
        for (int i = 0; i < small; i++) {
            Path dir = root.resolve(String.format("d%02d/s%02d", i % 23, (i / 23) % 17));
            bytes += write(dir.resolve(String.format("small %05d.bin", i)), 1 + random.nextInt(16 * 1024), random);
        }
        for (int i = 0; i < medium; i++) {
            bytes += write(root.resolve(String.format("medium/m%03d.bin", i)),
                    256 * 1024 + random.nextInt((int) (4 * MIB - 256 * 1024)), random);
        }
        for (int i = 0; i < multipart; i++) {
            bytes += write(root.resolve(String.format("multipart/p%02d.bin", i)),
                    10 * MIB + random.nextInt((int) (14 * MIB)), random);
        }
        for (int i = 0; i < split; i++) {
            bytes += write(root.resolve(String.format("split/s%02d.bin", i)),
                    40 * MIB + random.nextInt((int) (8 * MIB)), random);
        }
        return bytes;
    }

    private static long write(Path file, long size, Random random) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] block = new byte[(int) Math.min(size, MIB)];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
        return size;
    }
}
