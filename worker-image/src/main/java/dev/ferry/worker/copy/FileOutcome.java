package dev.ferry.worker.copy;

import dev.ferry.api.FailureCode;

/**
 * What happened to one file of a Copy task; for a multipart copy also how many parts were sent and how
 * many an earlier holder had stored already (verified and kept).
 */
public record FileOutcome(String path, Kind kind, long bytes, FailureCode code, String message, int partsUploaded,
                          int partsReused) {

    public enum Kind { COPIED, SKIPPED, FAILED }

    public static FileOutcome copied(String path, long bytes) {
        return copied(path, bytes, 0, 0);
    }

    public static FileOutcome copied(String path, long bytes, int partsUploaded, int partsReused) {
        return new FileOutcome(path, Kind.COPIED, bytes, null, null, partsUploaded, partsReused);
    }

    public static FileOutcome skipped(String path, String why) {
        return new FileOutcome(path, Kind.SKIPPED, 0, null, why, 0, 0);
    }

    public static FileOutcome failed(String path, FailureCode code, String message) {
        return new FileOutcome(path, Kind.FAILED, 0, code, message, 0, 0);
    }
}
