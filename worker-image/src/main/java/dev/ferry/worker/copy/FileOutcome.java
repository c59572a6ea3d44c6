package dev.ferry.worker.copy;

/** What happened to one file of a Copy task. */
public record FileOutcome(String path, Kind kind, long bytes, String code, String message) {

    public enum Kind { COPIED, SKIPPED, FAILED }

    public static FileOutcome copied(String path, long bytes) {
        return new FileOutcome(path, Kind.COPIED, bytes, null, null);
    }

    public static FileOutcome skipped(String path, String why) {
        return new FileOutcome(path, Kind.SKIPPED, 0, null, why);
    }

    public static FileOutcome failed(String path, String code, String message) {
        return new FileOutcome(path, Kind.FAILED, 0, code, message);
    }
}
