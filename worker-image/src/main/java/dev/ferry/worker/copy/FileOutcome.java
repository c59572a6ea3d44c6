package dev.ferry.worker.copy;

import dev.ferry.api.FailureCode;

/**
 * What happened to one file of a Copy task; for a multipart copy also how many parts were sent and how
 * many an earlier holder had stored already (verified and kept); for a copied or skipped file what is
 * known of its object (for its event).
 */
public record FileOutcome(String path, Kind kind, long bytes, FailureCode code, String message, int partsUploaded,
                          int partsReused, StoredObject object) {

    public enum Kind { COPIED, SKIPPED, FAILED }

    /**
     * The object a file is now: the file's MD5 (hex) and the object's ETag where known, and the gateway
     * that took the last write (null when nothing was written here).
     */
    public record StoredObject(String md5Hex, String eTag, String endpoint) {
    }

    public static FileOutcome copied(String path, long bytes) {
        return copied(path, bytes, 0, 0);
    }

    public static FileOutcome copied(String path, long bytes, int partsUploaded, int partsReused) {
        return new FileOutcome(path, Kind.COPIED, bytes, null, null, partsUploaded, partsReused, null);
    }

    public static FileOutcome skipped(String path, String why) {
        return new FileOutcome(path, Kind.SKIPPED, 0, null, why, 0, 0, null);
    }

    public static FileOutcome failed(String path, FailureCode code, String message) {
        return new FileOutcome(path, Kind.FAILED, 0, code, message, 0, 0, null);
    }

    public FileOutcome withObject(StoredObject stored) {
        return new FileOutcome(path, kind, bytes, code, message, partsUploaded, partsReused, stored);
    }

    public FileOutcome withMessage(String text) {
        return new FileOutcome(path, kind, bytes, code, text, partsUploaded, partsReused, object);
    }
}
