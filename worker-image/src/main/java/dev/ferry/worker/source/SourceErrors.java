package dev.ferry.worker.source;

import dev.ferry.api.FailureCode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/**
 * What a failure of the source filesystem means for the entry that met it: one rule for the per-file
 * copier, the Parts engine and the planner (docs/errors.md, the filesystem rows).
 */
public final class SourceErrors {

    /** The code and message an entry is reported with. */
    public record SourceFailure(FailureCode code, String message) {
    }

    private SourceErrors() {
    }

    public static SourceFailure classify(IOException e) {
        if (e instanceof NoSuchFileException) {
            return new SourceFailure(FailureCode.SOURCE_VANISHED, "the file no longer exists");
        }
        if (e instanceof AccessDeniedException) {
            return new SourceFailure(FailureCode.ACCESS_DENIED, "permission denied: " + e.getMessage());
        }
        return new SourceFailure(FailureCode.SOURCE_READ_ERROR, e.toString());
    }
}
