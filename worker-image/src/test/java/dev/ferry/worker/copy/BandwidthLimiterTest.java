package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BandwidthLimiterTest {
    private static final long MIB = 1L << 20;

    private final AtomicLong now = new AtomicLong();
    private final AtomicLong slept = new AtomicLong();
    /** Sleeping moves the clock, as it would. */
    private final BandwidthLimiter tenMibPerSecond = new BandwidthLimiter(10 * MIB, now::get, nanos -> {
        slept.addAndGet(nanos);
        now.addAndGet(nanos);
    });

    @Test
    void aBurstOfOneSecondOfTheLimitPassesAtOnce() throws Exception {
        tenMibPerSecond.acquire(4 * MIB);
        tenMibPerSecond.acquire(6 * MIB);

        assertThat(slept.get()).isZero();
    }

    @Test
    void sendingBeyondTheBurstWaitsUntilTheRateIsKept() throws Exception {
        for (int i = 0; i < 10; i++) {
            tenMibPerSecond.acquire(5 * MIB);
        }

        // 50 MiB at 10 MiB/s, the first 10 MiB free from the bucket: 4 s of waiting
        assertThat(slept.get()).isBetween(3_990_000_000L, 4_010_000_000L);
    }

    @Test
    void aRequestLargerThanTheBucketIsTakenOnCredit() throws Exception {
        tenMibPerSecond.acquire(64 * MIB);

        assertThat(slept.get()).as("54 MiB beyond the bucket at 10 MiB/s").isBetween(5_390_000_000L, 5_410_000_000L);
    }

    @Test
    void idleTimeRefillsTheBucketButNoMoreThanOneSecond() throws Exception {
        tenMibPerSecond.acquire(10 * MIB);
        now.addAndGet(60_000_000_000L);

        tenMibPerSecond.acquire(10 * MIB);
        tenMibPerSecond.acquire(5 * MIB);

        assertThat(slept.get()).isBetween(490_000_000L, 510_000_000L);
    }

    @Test
    void noLimitNeverWaits() throws Exception {
        assertThat(BandwidthLimiter.of(null).unlimited()).isTrue();
        BandwidthLimiter.of(null).acquire(Long.MAX_VALUE);
        assertThat(BandwidthLimiter.of(0L).unlimited()).isTrue();
    }
}
