package dev.ferry.worker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;

/** Source trees for tests: files with reproducible pseudo-random content, and their digests. */
public final class Trees {
    private Trees() {
    }

    public static Path write(Path root, String relativePath, byte[] content) {
        try {
            Path file = root.resolve(relativePath);
            Files.createDirectories(file.getParent());
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A file whose name holds bytes no Java string can name in a UTF-8 locale (Latin-1 names, say), written
     * by the shell: {@code printfName} is the name with octal escapes ({@code "caf\\351.txt"}), under
     * {@code directory}, which must exist; a trailing {@code /} makes it a directory (empty) instead.
     */
    public static void writeByRawName(Path directory, String printfName, String content) {
        String command = printfName.endsWith("/")
                ? "mkdir \"$(printf '" + printfName.substring(0, printfName.length() - 1) + "')\""
                : "printf %s '" + content + "' > \"$(printf '" + printfName + "')\"";
        try {
            Process shell = new ProcessBuilder("sh", "-c", command).directory(directory.toFile())
                    .redirectErrorStream(true).start();
            String output = new String(shell.getInputStream().readAllBytes());
            if (shell.waitFor() != 0) {
                throw new IllegalStateException(command + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static byte[] randomBytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    public static byte[] md5(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
