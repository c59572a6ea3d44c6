package dev.ferry.worker.task;

import java.time.Duration;

/**
 * Every delay before trying again, in one place (docs/errors.md, "Retries"):
 * <ul>
 *   <li><b>A file or a part</b> whose request failed with a transient error (5xx, throttling, a timeout,
 *       a reset connection): {@link #FILE_TRIES} tries in all, waiting {@link #beforeFileTry} between
 *       them — 2 s, 4 s, 8 s: four tries over about 14 s (each try also has the S3 client's own quick
 *       retries). Then the file is reported with the error's code and its task goes on.</li>
 *   <li><b>A problem of the destination as a whole</b> (no bucket, refused credentials, quota, every
 *       endpoint out): the task goes back to Pending without using an attempt and is not handed out
 *       again for {@link #AFTER_STORE_PROBLEM}; the job pauses hand-out meanwhile.</li>
 *   <li><b>A task that failed as a whole</b> for another reason (an unreadable manifest, the source not
 *       mounted, an unexpected error): attempts + 1 and {@link #afterAttempt}, doubling from 10 s up to
 *       5 min.</li>
 * </ul>
 */
public final class Backoff {
    static final Duration BASE = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofMinutes(5);

    /** Tries of one file (or one part) that meets transient errors, the first one included. */
    public static final int FILE_TRIES = 4;
    /** The wait before the second try of a file or part; it doubles before each further one. */
    public static final Duration FILE_FIRST_DELAY = Duration.ofSeconds(2);
    /** How long a task sent back by a problem of the whole store waits before it is handed out again. */
    public static final Duration AFTER_STORE_PROBLEM = Duration.ofSeconds(15);

    private Backoff() {
    }

    /** The delay after the given attempt (1 for the first failure). */
    public static Duration afterAttempt(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 16));
        Duration d = BASE.multipliedBy(1L << doublings);
        return d.compareTo(MAX) > 0 ? MAX : d;
    }

    /** The wait before try {@code next} (2 .. {@link #FILE_TRIES}) of a file or part: 2 s, 4 s, 8 s. */
    public static Duration beforeFileTry(int next) {
        return FILE_FIRST_DELAY.multipliedBy(1L << Math.max(0, Math.min(next - 2, 16)));
    }

    /**
     * Waits {@code delay} unless the task must stop first, looking every 100 ms; false when it must stop.
     */
    public static boolean pause(Duration delay, StopSignal halt) throws InterruptedException {
        long end = System.nanoTime() + delay.toNanos();
        while (!halt.stopRequested()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
        }
        return false;
    }
}
