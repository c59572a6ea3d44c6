package dev.ferry.api;

/** Counts in messages people read: "1 file", "2 files", "0 files". */
public final class Plurals {
    private Plurals() {
    }

    /** {@code n} and the noun that fits it: {@code one} for exactly 1, {@code many} otherwise. */
    public static String of(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    public static String files(long n) {
        return of(n, "file", "files");
    }

    public static String plannedFiles(long n) {
        return of(n, "planned file", "planned files");
    }
}
