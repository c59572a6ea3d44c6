package dev.ferry.worker.copy;

import java.util.concurrent.Semaphore;

/**
 * Bounds the bytes a worker holds in memory for uploads (whole small files and parts being sent).
 * Counted in KiB so that a budget of several GiB fits a semaphore; a request larger than the whole
 * budget takes all of it, so one oversized part waits for the others instead of deadlocking.
 */
public final class ByteBudget {
    private final int totalKib;
    private final Semaphore kib;

    public ByteBudget(long bytes) {
        this.totalKib = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes >> 10));
        this.kib = new Semaphore(totalKib, true);
    }

    /** Heap-sized default: a quarter of the maximum heap, between 64 MiB and 2 GiB. */
    public static ByteBudget forHeap() {
        long quarter = Runtime.getRuntime().maxMemory() / 4;
        return new ByteBudget(Math.max(64L << 20, Math.min(2L << 30, quarter)));
    }

    /** The whole budget in bytes. */
    public long bytes() {
        return (long) totalKib << 10;
    }

    public Lease acquire(long bytes) throws InterruptedException {
        int permits = (int) Math.min(totalKib, Math.max(1, (bytes + 1023) >> 10));
        kib.acquire(permits);
        return new Lease(permits);
    }

    /** Bytes held in memory for uploads; released exactly once. */
    public final class Lease implements AutoCloseable {
        private final int permits;
        private boolean released;

        private Lease(int permits) {
            this.permits = permits;
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                kib.release(permits);
            }
        }
    }
}
