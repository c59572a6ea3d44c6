package dev.ferry.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The directory of one {@code ferry migrate} run, {@code <work-dir>/runs/<job>}: its local API's kubeconfig, the
 * embedded S3's data, the broker's, the workers' logs. Held with a lock on {@code .lock} for as long as the run's
 * process lives (the kernel drops it when the process dies, {@code kill -9} included), so two runs never share one:
 * two runs started in the same second would otherwise both take {@code migrate-<time>} and one store.
 *
 * <p>A default name is taken only by a run that creates its directory, so a run never starts on the store of an
 * earlier one; {@code -2}, {@code -3}, ... are appended until one is free. A name given with {@code --name} may
 * name an earlier run's directory (its embedded store is used again: a re-run copies only what is missing), but
 * not one a running process holds.
 */
final class RunDirectory implements AutoCloseable {
    static final String LOCK_FILE = ".lock";
    private static final int MAX_SUFFIX = 1_000;

    private final String name;
    private final Path path;
    private final FileChannel lockChannel;

    private RunDirectory(String name, Path path, FileChannel lockChannel) {
        this.name = name;
        this.path = path;
        this.lockChannel = lockChannel;
    }

    /** Thrown when the run directory of a name given with {@code --name} is held by a running process. */
    static final class InUseException extends Exception {
        InUseException(String message) {
            super(message);
        }
    }

    /** A new directory for a run named after {@code base}: {@code base}, else {@code base-2}, {@code base-3}, ... */
    static RunDirectory claimNew(Path runs, String base) throws IOException {
        Files.createDirectories(runs);
        for (int n = 1; n <= MAX_SUFFIX; n++) {
            String name = n == 1 ? base : base + "-" + n;
            try {
                Path dir = Files.createDirectory(runs.resolve(name));
                RunDirectory claimed = lock(name, dir);
                if (claimed != null) {
                    return claimed;
                }
            } catch (FileAlreadyExistsException e) {
                // taken by an earlier run, or by one started in the same second: the next suffix
            }
        }
        throw new IOException("no free run directory named " + base + "[-N] in " + runs);
    }

    /** The directory of the run {@code name}, new or left by an earlier run, unless a running process holds it. */
    static RunDirectory claimNamed(Path runs, String name) throws IOException, InUseException {
        Path dir = Files.createDirectories(runs.resolve(name));
        RunDirectory claimed = lock(name, dir);
        if (claimed == null) {
            throw new InUseException("a run named " + name + " is in progress in " + dir
                    + " (another ferry migrate holds it): choose another --name");
        }
        return claimed;
    }

    /** The directory held, or null when another process holds it. */
    private static RunDirectory lock(String name, Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process
        }
        if (lock == null) {
            channel.close();
            return null;
        }
        return new RunDirectory(name, dir, channel);
    }

    String name() {
        return name;
    }

    Path path() {
        return path;
    }

    /** Lets another run take the directory (also done by the kernel when this process ends). */
    @Override
    public void close() throws IOException {
        lockChannel.close();
    }
}
