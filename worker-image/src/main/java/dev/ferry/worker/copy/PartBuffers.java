package dev.ferry.worker.copy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Part buffers kept for the next part of the same size instead of a fresh array for every part. A 1 GiB
 * file is 128 parts of 8 MiB; a fresh array is zeroed by the JVM and left to the collector, which on
 * four such files cost about 1 CPU-s of the worker's 22 (alternating runs of the large bench profile).
 *
 * <p>Only full-size parts go through here (a file's last part is of its own length and would only take room).
 * A buffer is given back only when nothing reads it any more: after its part was found stored, or
 * after its part's request ended with every retry of it ({@link PartWriter} sends a part and its retries
 * synchronously on one thread, so when that future completes the HTTP client is done with the array).
 * Idle buffers are bounded by bytes ({@code idleLimit}); one that does not fit is left to the collector.
 * They are outside the worker's {@link ByteBudget}, which bounds the bytes in use: together at most the
 * budget plus {@code idleLimit}.
 */
final class PartBuffers {
    private final long idleLimit;
    private final Map<Integer, Deque<byte[]>> idle = new HashMap<>();
    private long idleBytes;

    PartBuffers(long idleLimit) {
        this.idleLimit = idleLimit;
    }

    /** An idle buffer of exactly {@code length} bytes (its content is the previous part's), or a new one. */
    synchronized byte[] take(int length) {
        Deque<byte[]> sameLength = idle.get(length);
        if (sameLength == null || sameLength.isEmpty()) {
            return new byte[length];
        }
        idleBytes -= length;
        return sameLength.pop();
    }

    /**
     * Keeps {@code buffer} for a later {@link #take} of its length. Idle buffers of other lengths make room
     * for it first (the parts being read now are of this length: a file's parts are of one size but its
     * last); when they are not enough, it is left to the collector.
     */
    synchronized void give(byte[] buffer) {
        var others = idle.entrySet().iterator();
        while (idleBytes + buffer.length > idleLimit && others.hasNext()) {
            var entry = others.next();
            if (entry.getKey() != buffer.length) {
                idleBytes -= (long) entry.getKey() * entry.getValue().size();
                others.remove();
            }
        }
        if (idleBytes + buffer.length > idleLimit) {
            return;
        }
        idle.computeIfAbsent(buffer.length, length -> new ArrayDeque<>()).push(buffer);
        idleBytes += buffer.length;
    }

    /** Bytes held by idle buffers. */
    synchronized long idleBytes() {
        return idleBytes;
    }
}
