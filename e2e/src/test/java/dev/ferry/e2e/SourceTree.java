package dev.ferry.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Generates reproducible source trees and describes trees by relative path, size and SHA-256. */
final class SourceTree {

    private SourceTree() {
    }

    /** {@code smallFiles} files of 0–16 KiB in a three-level tree, plus one file of {@code bigBytes}. */
    static void generate(Path root, int smallFiles, long bigBytes, long seed) throws IOException {
        Random random = new Random(seed);
        for (int i = 0; i < smallFiles; i++) {
            Path dir = root.resolve(String.format("d%02d/s%02d", i % 7, (i / 7) % 11));
            if (i % 97 == 0) {
                dir = dir.resolve("deeper level/ünï " + (i % 3));
            }
            Files.createDirectories(dir);
            byte[] content = new byte[i % 50 == 0 ? 0 : random.nextInt(16 * 1024) + 1];
            random.nextBytes(content);
            Files.write(dir.resolve(String.format("file %05d.bin", i)), content);
        }
        Path big = root.resolve("big");
        Files.createDirectories(big);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(big.resolve("large.bin"))) {
            for (long written = 0; written < bigBytes; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, bigBytes - written));
            }
        }
    }

    /** Relative path → "size:sha256" of every regular file under root. */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String rel = root.relativize(file).toString(); // POSIX: a backslash is part of a name
                try (InputStream in = Files.newInputStream(file)) {
                    files.put(rel, Files.size(file) + ":" + sha256(in));
                }
            }
        }
        return files;
    }

    static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
