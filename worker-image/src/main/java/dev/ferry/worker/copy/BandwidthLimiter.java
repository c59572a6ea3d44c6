package dev.ferry.worker.copy;

import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The worker's upload bandwidth limit ({@code spec.workers.bandwidthLimit}), shared by every file and
 * part in flight: a token bucket of bytes that refills at the limit and holds at most one second of
 * it. A request larger than what is available takes it on credit and waits until the bucket is back
 * to zero, so a 64 MiB part under a 10 MiB/s limit waits about 6 s and the long-run rate is the limit
 * whatever the request sizes. Uploads take a request's bytes in slices of one second of the limit
 * ({@link #acquire(long, LongConsumer)}), each counted as the task moving.
 */
public final class BandwidthLimiter {
    /** No limit: {@link #acquire} returns at once. */
    public static final BandwidthLimiter UNLIMITED = new BandwidthLimiter(0, System::nanoTime, Sleeper.THREAD);

    /** Waits, so tests can count the wait instead of spending it. */
    interface Sleeper {
        Sleeper THREAD = nanos -> TimeUnit.NANOSECONDS.sleep(nanos);

        void sleep(long nanos) throws InterruptedException;
    }

    private final long bytesPerSecond;
    private final LongSupplier nanoClock;
    private final Sleeper sleeper;
    private double available;
    private long lastRefill;

    BandwidthLimiter(long bytesPerSecond, LongSupplier nanoClock, Sleeper sleeper) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
        this.available = bytesPerSecond;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** A limiter of {@code bytesPerSecond}; null or not positive means unlimited. */
    public static BandwidthLimiter of(Long bytesPerSecond) {
        return bytesPerSecond == null || bytesPerSecond <= 0 ? UNLIMITED
                : new BandwidthLimiter(bytesPerSecond, System::nanoTime, Sleeper.THREAD);
    }

    public boolean unlimited() {
        return bytesPerSecond <= 0;
    }

    /**
     * As {@link #acquire(long)}, in slices of at most one second of the limit, telling {@code granted}
     * of each as it is granted: a long wait for a large part under a low limit shows as a task that
     * moves (its {@link TaskMotion}), not as one that stalls. The long-run rate is the same.
     */
    public void acquire(long bytes, LongConsumer granted) throws InterruptedException {
        if (unlimited()) {
            return;
        }
        for (long left = bytes; left > 0; ) {
            long slice = Math.min(left, bytesPerSecond);
            acquire(slice);
            granted.accept(slice);
            left -= slice;
        }
    }

    /** Returns when {@code bytes} may be sent. */
    public void acquire(long bytes) throws InterruptedException {
        if (unlimited() || bytes <= 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            available = Math.min(bytesPerSecond, available + (now - lastRefill) * (bytesPerSecond / 1e9));
            lastRefill = now;
            available -= bytes;
            waitNanos = available >= 0 ? 0 : (long) Math.ceil(-available / bytesPerSecond * 1e9);
        }
        if (waitNanos > 0) {
            sleeper.sleep(waitNanos);
        }
    }
}
