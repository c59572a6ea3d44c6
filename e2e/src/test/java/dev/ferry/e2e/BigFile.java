package dev.ferry.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * A large file written fast enough for tests on a small machine: one random MiB, repeated, with the
 * index of each MiB stamped into its first bytes — so every part of any part size has its own
 * content (a part stored at the wrong place would not go unnoticed) at the cost of one random block.
 */
final class BigFile {
    static final int MIB = 1 << 20;

    private BigFile() {
    }

    static Path write(Path file, long size, long seed) throws IOException {
        byte[] block = new byte[MIB];
        new Random(seed).nextBytes(block);
        ByteBuffer buffer = ByteBuffer.wrap(block);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long offset = 0, index = 0; offset < size; offset += MIB, index++) {
                buffer.clear();
                buffer.putLong(0, index);
                buffer.putLong(8, seed);
                buffer.limit((int) Math.min(MIB, size - offset));
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
        }
        return file;
    }
}
