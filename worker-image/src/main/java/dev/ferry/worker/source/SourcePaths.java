package dev.ferry.worker.source;

import dev.ferry.api.MigrationJob;
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
