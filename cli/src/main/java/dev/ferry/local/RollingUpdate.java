package dev.ferry.local;

import java.time.Duration;

/**
 * The Deployment controller's RollingUpdate strategy with its defaults (maxSurge and maxUnavailable 25 %,
 * surge rounded up, unavailable rounded down): what one sync does while pods of an older template run.
 * A pod counts as available once it has run for {@link #MIN_READY}: the local pods have no readiness probe.
 */
record RollingUpdate(int desired, int current, int currentAvailable, int old) {
    static final Duration MIN_READY = Duration.ofSeconds(2);

    /** More pods may run than desired while rolling: at least one. */
    int maxSurge() {
        return Math.max(1, (desired + 3) / 4);
    }

    /** Fewer pods may be available than desired while rolling. */
    int maxUnavailable() {
        return maxUnavailable(desired);
    }

    /** How many of {@code desired} pods may be unavailable (25 %, rounded down); also what Available means. */
    static int maxUnavailable(int desired) {
        return desired / 4;
    }

    /** Start one pod of the current template: there is room within the surge. */
    boolean startOne() {
        return current < desired && current + old < desired + maxSurge();
    }

    /** Stop one pod of an older template: enough pods stay available without it. */
    boolean stopOneOld() {
        return old > 0 && currentAvailable + old - 1 >= desired - maxUnavailable();
    }
}
