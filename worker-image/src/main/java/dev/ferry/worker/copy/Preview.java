package dev.ferry.worker.copy;

/** What a copy would do with one entry, decided without writing ({@code ferry migrate --dry-run}). */
public record Preview(Action action, String path, long bytes, String reason) {

    public enum Action {
        /** It would be uploaded: new, or changed since its object was written. */
        COPY,
        /** Its object is there already (identical, or overwrite Never). */
        SKIP,
        /** It would not be migrated: left out by the job's policy, or not storable (the reason says which). */
        LEAVE_OUT
    }

    static Preview copy(String path, long bytes, String reason) {
        return new Preview(Action.COPY, path, bytes, reason);
    }

    static Preview skip(String path, long bytes, String reason) {
        return new Preview(Action.SKIP, path, bytes, reason);
    }

    public static Preview leftOut(String path, long bytes, String reason) {
        return new Preview(Action.LEAVE_OUT, path, bytes, reason);
    }
}
