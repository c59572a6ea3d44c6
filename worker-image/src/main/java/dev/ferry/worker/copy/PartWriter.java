package dev.ferry.worker.copy;

import dev.ferry.worker.multipart.PartLayout;
import dev.ferry.worker.multipart.StoredParts.StoredPart;
import dev.ferry.worker.s3.RetriesExhausted;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.s3.StoreUnreachableException;
import dev.ferry.worker.task.Backoff;
import dev.ferry.worker.task.StopSignal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Makes a range of parts of one multipart upload hold the file's bytes. The file's thread reads the
 * parts in order with positional reads (feeding the whole-file MD5 when asked); a part the store
 * already has with the planned size and an ETag equal to the MD5 of the bytes just read is kept,
 * every other part is uploaded by the part threads with its Content-MD5. Memory is bounded by the
 * worker's byte budget and by {@code concurrency} parts of this upload in flight. A part whose request
 * fails with a transient error is sent again with backoff, a bounded number of times ({@link #send});
 * the bytes read and sent are counted into the task's {@link TaskMotion}. Full-size parts are read into
 * buffers of the engine's {@link PartBuffers}, given back when their part is done with.
 *
 * <p>When the task must stop ({@code halt}) no further part is read: the parts in flight are allowed
 * to finish, so that they count for the next holder, and {@link CopyHalted} is thrown. The upload is
 * never aborted here; that is the caller's decision.
 */
public final class PartWriter {
    private static final Logger LOG = LoggerFactory.getLogger(PartWriter.class);
    private final CopyEngine engine;
    private final String key;
    private final String uploadId;
    private final PartLayout layout;
    private final StopSignal halt;
    private final TaskMotion motion;

    /**
     * What a range ended with: every part of it by number (with the ETag to complete with) and the MD5
     * of its bytes, how many parts were sent and how many kept; {@code shrank} when the file ended
     * before the range did (it changed).
     */
    public record Result(SortedMap<Integer, CompletedPart> parts, SortedMap<Integer, byte[]> md5s, int uploaded,
                  int reused, boolean shrank) {
    }

    public PartWriter(CopyEngine engine, String key, String uploadId, PartLayout layout, StopSignal halt) {
        this(engine, key, uploadId, layout, halt, TaskMotion.untracked());
    }

    /** A writer that counts the bytes it reads and sends into {@code motion} (the task's progress). */
    public PartWriter(CopyEngine engine, String key, String uploadId, PartLayout layout, StopSignal halt,
                      TaskMotion motion) {
        this.engine = engine;
        this.key = key;
        this.uploadId = uploadId;
        this.layout = layout;
        this.halt = halt;
        this.motion = motion;
    }

    /** Makes parts {@code first..last} stored; {@code whole}, when given, is fed the range's bytes in order. */
    public Result store(FileChannel channel, int first, int last, Map<Integer, StoredPart> stored, MessageDigest whole)
            throws IOException, InterruptedException {
        SortedMap<Integer, CompletedPart> parts = new TreeMap<>();
        SortedMap<Integer, byte[]> md5s = new TreeMap<>();
        List<CompletableFuture<CompletedPart>> sending = new ArrayList<>();
        Semaphore partsInFlight = new Semaphore(engine.concurrency);
        int reused = 0;
        boolean shrank = false;
        try {
            for (int n = first; n <= last; n++) {
                halt.awaitStart(); // while the Lease lapses; then the fence tells whether the task is still ours
                if (halt.stopRequested()) {
                    awaitQuietly(sending);
                    throw new CopyHalted("stopped before part " + n + " of " + key);
                }
                if (sending.stream().anyMatch(CompletableFuture::isCompletedExceptionally)) {
                    break;
                }
                int length = layout.length(n);
                partsInFlight.acquire();
                ByteBudget.Lease lease;
                try {
                    lease = engine.budget.acquire(length);
                } catch (InterruptedException e) {
                    partsInFlight.release();
                    throw e;
                }
                boolean handedOver = false;
                boolean fullSize = length == layout.partSize();
                byte[] data;
                try {
                    data = fullSize ? engine.partBuffers.take(length) : new byte[length];
                } catch (RuntimeException | Error e) {
                    lease.close();
                    partsInFlight.release();
                    throw e;
                }
                try {
                    if (!readFully(channel, layout.offset(n), data)) {
                        shrank = true;
                        break;
                    }
                    motion.bytes(length);
                    if (whole != null) {
                        whole.update(data);
                    }
                    byte[] md5 = Uploads.md5().digest(data);
                    md5s.put(n, md5);
                    StoredPart have = stored.get(n);
                    if (have != null && have.size() == length && HexFormat.of().formatHex(md5).equalsIgnoreCase(have.eTag())) {
                        parts.put(n, CompletedPart.builder().partNumber(n).eTag('"' + have.eTag() + '"').build());
                        reused++;
                    } else {
                        sending.add(upload(n, data, md5).whenComplete((r, e) -> {
                            // the part and its retries ran synchronously: the HTTP client is done with data
                            release(fullSize, data, lease, partsInFlight);
                        }));
                        handedOver = true;
                    }
                } finally {
                    if (!handedOver) {
                        release(fullSize, data, lease, partsInFlight);
                    }
                }
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (!(e instanceof CopyHalted)) {
                awaitQuietly(sending);
            }
            throw e;
        }
        for (CompletableFuture<CompletedPart> part : sending) {
            CompletedPart done = join(part);
            parts.put(done.partNumber(), done);
        }
        return new Result(parts, md5s, sending.size(), reused, shrank);
    }

    /** Gives a part's buffer back, then its bytes and its place in flight, so the next part can take the buffer. */
    private void release(boolean fullSize, byte[] data, ByteBudget.Lease lease, Semaphore partsInFlight) {
        if (fullSize) {
            engine.partBuffers.give(data);
        }
        lease.close();
        partsInFlight.release();
    }

    private CompletableFuture<CompletedPart> upload(int partNumber, byte[] data, byte[] md5) {
        String contentMd5 = Base64.getEncoder().encodeToString(md5);
        return CompletableFuture.supplyAsync(() -> {
            try {
                engine.bandwidth.acquire(data.length, motion::bytes);
                return CompletedPart.builder().partNumber(partNumber).eTag(send(partNumber, data, contentMd5)).build();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }, engine.partThreads);
    }

    /**
     * Sends one part and returns its ETag, trying again on a transient error ({@link Backoff#FILE_TRIES}
     * tries, {@link Backoff#beforeFileTry} apart) so that one failed request costs a part, not a re-read
     * of the file. A problem of the whole store goes up at once; so does the last failure, as
     * {@link RetriesExhausted}, when the tries are used up or the task must stop.
     */
    private String send(int partNumber, byte[] data, String contentMd5) throws InterruptedException {
        for (int tries = 1; ; tries++) {
            try {
                // the parts of one upload may go to different gateways of the store
                return engine.s3.callGateway(s3 -> s3.uploadPart(engine.bucket, key, uploadId, partNumber, data,
                        contentMd5, motion::bytes));
            } catch (SdkException e) {
                S3Errors.ErrorClass error = S3Errors.classify(e);
                if (error.scope() != S3Errors.Scope.RETRY || e instanceof StoreUnreachableException) {
                    throw e;
                }
                if (tries >= Backoff.FILE_TRIES || !Backoff.pause(Backoff.beforeFileTry(tries + 1), halt)) {
                    throw new RetriesExhausted(e, tries);
                }
                LOG.info("{}: part {} failed ({}); trying it again", key, partNumber, S3Errors.describe(e));
            }
        }
    }

    /** Fills {@code data} from {@code offset}; false when the file ended first (it shrank). */
    static boolean readFully(FileChannel channel, long offset, byte[] data) throws IOException {
        return readFully(channel, offset, ByteBuffer.wrap(data));
    }

    public static boolean readFully(FileChannel channel, long offset, ByteBuffer buffer) throws IOException {
        long position = offset;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                return false;
            }
            position += n;
        }
        return true;
    }

    private static void awaitQuietly(List<CompletableFuture<CompletedPart>> parts) {
        for (CompletableFuture<CompletedPart> part : parts) {
            try {
                part.join();
            } catch (CompletionException | java.util.concurrent.CancellationException ignored) {
                // the caller decides about the upload; a part that failed is simply not stored
            }
        }
    }

    private static CompletedPart join(CompletableFuture<CompletedPart> part) {
        try {
            return part.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }
}
