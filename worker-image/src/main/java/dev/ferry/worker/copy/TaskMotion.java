package dev.ferry.worker.copy;

import dev.ferry.api.MigrationTaskStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a running task moves forward, and when it last did ({@code status.progressTime}): a file got
 * its outcome, or bytes of the files in flight were read from the source or sent to the store. The copy
 * engine adds bytes as it reads and sends them (the single PUT, the hash pass, each part as the HTTP
 * client takes its body), so a slow but moving upload of a huge file moves, and a read that hangs does
 * not. The operator takes a task back as stalled when its progressTime stands still for
 * {@code spec.tasks.stallTimeout} while its holder's Lease is fresh.
 *
 * <p>The task's progress writer {@link #look}s about once a second: the number it returns changes
 * whenever the task moved since the last look, which makes the writer write, and the write carries the
 * time of that look ({@link #writeTo}).
 */
public final class TaskMotion {
    /** For code that copies outside a task (tests, single files): counts nothing anyone reads. */
    public static TaskMotion untracked() {
        return new TaskMotion(Clock.systemUTC());
    }

    private final Clock clock;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong outcomes = new AtomicLong();
    private long seenBytes;
    private long seenOutcomes;
    private long moves;
    private Instant lastMoved;

    public TaskMotion(Clock clock) {
        this.clock = clock;
    }

    /** Bytes of a file in flight read from the source or sent to the store. */
    public void bytes(long n) {
        if (n > 0) {
            bytes.addAndGet(n);
        }
    }

    /** A file got its outcome (or a Parts task's range was stored). */
    public void outcome() {
        outcomes.incrementAndGet();
    }

    /** Bytes read or sent so far by this run of the task. */
    public long bytesMoved() {
        return bytes.get();
    }

    /** A number that changes whenever the task moved since the previous look; notes the time it did. */
    public synchronized long look() {
        long b = bytes.get();
        long o = outcomes.get();
        if (b != seenBytes || o != seenOutcomes) {
            seenBytes = b;
            seenOutcomes = o;
            moves++;
            lastMoved = clock.instant();
        }
        return moves;
    }

    /**
     * Writes {@code progressTime} when the task moved in this run, and then clears {@code storeError}:
     * the store took our work again. Leaves both as they are otherwise.
     */
    public synchronized void writeTo(MigrationTaskStatus status) {
        look();
        if (lastMoved != null) {
            status.progressTime = lastMoved.toString();
            status.storeError = null;
        }
    }
}
