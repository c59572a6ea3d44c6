package dev.ferry.worker.source;

import dev.ferry.api.MigrationJob;
import java.io.IOException;
import java.nio.file.Path;

/** Where a job's files are on this worker: the volume's mount point plus the job's source path. */
public final class SourcePaths {
    private SourcePaths() {
    }

    /** The job's source directory; refuses a path that would leave the volume. */
    public static Path base(Path sourceRoot, MigrationJob job) {
        Path root = sourceRoot.toAbsolutePath().normalize();
        Path base = root.resolve(relative(job.getSpec().source.pathOrRoot())).normalize();
        if (!base.startsWith(root)) {
            throw new IllegalArgumentException("source path " + job.getSpec().source.path + " leaves the volume");
        }
        return base;
    }

    /**
     * The file (or directory) at {@code relative} under {@code base}, refused when it would be outside
     * it: an absolute path, a {@code ..} segment, a NUL, or a parent directory that resolves (through a
     * symbolic link) outside the real {@code base}. Paths come from task specs and manifests, which
     * anyone allowed to write a task can craft; Move deletes what this returns, so nothing outside the
     * source may ever come out of it. A parent that cannot be resolved (it vanished) is left to the read
     * that follows, which reports it as such.
     */
    public static Path within(Path base, String relative) throws OutsideSourceException {
        if (relative == null || relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\0') >= 0) {
            throw new OutsideSourceException(relative, "not a relative path");
        }
        for (String segment : relative.split("/")) {
            if (segment.equals("..")) {
                throw new OutsideSourceException(relative, "it has a '..' segment");
            }
        }
        Path root = base.toAbsolutePath().normalize();
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new OutsideSourceException(relative, "it does not name an entry under the source");
        }
        Path parent = resolved.getParent();
        if (!parent.equals(root) && !realPathUnder(parent, root)) {
            throw new OutsideSourceException(relative, "a directory on its way is a link out of the source");
        }
        return resolved;
    }

    /** Whether {@code directory} resolves under {@code root}; true when it cannot be resolved (the read says why). */
    private static boolean realPathUnder(Path directory, Path root) {
        try {
            return directory.toRealPath().startsWith(root.toRealPath());
        } catch (IOException e) {
            return true;
        }
    }

    /** A path from a task or manifest that leaves the source: refused, never read, never deleted. */
    public static final class OutsideSourceException extends Exception {
        OutsideSourceException(String relative, String why) {
            super("path '" + relative + "' is refused: " + why);
        }
    }

    /** A directory spelled with or without leading/trailing slashes, as a relative path ("" for the top). */
    public static String relative(String directory) {
        if (directory == null) {
            return "";
        }
        String d = directory.strip();
        while (d.startsWith("/")) {
            d = d.substring(1);
        }
        while (d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d.equals(".") ? "" : d;
    }
}
