package dev.ferry.local;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * CrashLoopBackOff, simplified: a process that dies young delays the next start of its Deployment's
 * pods, doubling up to 30 s. Also tells when worker processes keep dying right after they start.
 */
final class CrashLoopBackoff {
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration HEALTHY_RUN = Duration.ofSeconds(10);

    private final Map<String, Delay> delays = new ConcurrentHashMap<>();
    private final AtomicInteger consecutiveEarlyExits = new AtomicInteger();

    /** Whether a pod of the Deployment may start now. */
    boolean allowsStart(String deploymentUid, Instant now) {
        return delayOf(deploymentUid).allows(now);
    }

    /** A pod of the Deployment could not start: the next attempt waits. */
    void failedToStart(String deploymentUid, Instant now) {
        delayOf(deploymentUid).failed(now);
    }

    /** A process that was not asked to stop exited after running for {@code ran}. */
    void exited(String deploymentUid, Duration ran, Instant now) {
        if (ran.compareTo(HEALTHY_RUN) < 0) {
            delayOf(deploymentUid).failed(now);
            consecutiveEarlyExits.incrementAndGet();
        } else {
            delayOf(deploymentUid).reset();
            consecutiveEarlyExits.set(0);
        }
    }

    /** True when worker processes keep dying right after they start: waiting longer will not help. */
    boolean crashLooping() {
        return consecutiveEarlyExits.get() >= 3;
    }

    private Delay delayOf(String deploymentUid) {
        return delays.computeIfAbsent(deploymentUid, k -> new Delay());
    }

    /** The delay before the next start of one Deployment's pods. */
    private static final class Delay {
        private Duration delay = Duration.ZERO;
        private Instant notBefore = Instant.MIN;

        synchronized boolean allows(Instant now) {
            return !now.isBefore(notBefore);
        }

        synchronized void failed(Instant now) {
            delay = delay.isZero() ? Duration.ofSeconds(1) : delay.multipliedBy(2);
            if (delay.compareTo(MAX_BACKOFF) > 0) {
                delay = MAX_BACKOFF;
            }
            notBefore = now.plus(delay);
        }

        synchronized void reset() {
            delay = Duration.ZERO;
            notBefore = Instant.MIN;
        }
    }
}
