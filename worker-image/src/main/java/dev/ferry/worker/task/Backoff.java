package dev.ferry.worker.task;

import java.time.Duration;

/** Delay before a task that failed as a whole is handed out again: doubling, capped. */
public final class Backoff {
    static final Duration BASE = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofMinutes(5);

    private Backoff() {
    }

    /** The delay after the given attempt (1 for the first failure). */
    public static Duration afterAttempt(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 16));
        Duration d = BASE.multipliedBy(1L << doublings);
        return d.compareTo(MAX) > 0 ? MAX : d;
    }
}
