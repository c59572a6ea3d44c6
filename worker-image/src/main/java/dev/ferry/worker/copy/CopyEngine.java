package dev.ferry.worker.copy;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.Quantities;
import dev.ferry.api.VerifyMode;
import dev.ferry.api.WorkersSpec;
import dev.ferry.worker.s3.EndpointPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upload machinery of one job in one worker, shared by all its Copy tasks: the pool of S3
 * gateways (every S3 call of a copy goes through it), a bounded pool of file threads, a bounded pool
 * of part threads (separate, so a file thread waiting for its parts never starves them) and the
 * in-memory byte budget.
 */
public final class CopyEngine implements AutoCloseable {
    final EndpointPool s3;
    final String bucket;
    final String prefix;
    final String storageClass;
    /** Copy, Sync (new or changed files only) or Move (the source file is deleted once verified). */
    final MigrationMode mode;
    final OverwritePolicy overwrite;
    final VerifyMode verify;
    final int concurrency;
    final Long configuredPartSize;
    final ExecutorService fileThreads;
    final ExecutorService partThreads;
    final ByteBudget budget;
    /** {@code spec.workers.bandwidthLimit}, shared by every upload of this worker for the job. */
    final BandwidthLimiter bandwidth;
    /** Test seams; set only by tests of this package, before the engine copies anything. */
    volatile CopyHooks hooks = CopyHooks.NONE;
    /**
     * Objects above this get new metadata by a multipart copy onto themselves rather than CopyObject:
     * S3's 5 GiB. A test seam like {@link #hooks}: tests lower it to exercise the multipart copy.
     */
    volatile long copyObjectLimit = Uploads.COPY_OBJECT_LIMIT;

    public CopyEngine(EndpointPool s3, DestinationSpec destination, OverwritePolicy overwrite, VerifyMode verify,
                      WorkersSpec workers, ByteBudget budget) {
        this(s3, destination, MigrationMode.Copy, overwrite, verify, workers, budget);
    }

    public CopyEngine(EndpointPool s3, DestinationSpec destination, MigrationMode mode, OverwritePolicy overwrite,
                      VerifyMode verify, WorkersSpec workers, ByteBudget budget) {
        this.s3 = s3;
        this.bucket = destination.bucket;
        this.prefix = destination.normalizedPrefix();
        this.storageClass = destination.storageClass;
        this.mode = mode == null ? MigrationMode.Copy : mode;
        // Sync means "only new or changed files", whatever overwrite says: Always would copy everything
        // again and Never would miss changed files
        this.overwrite = this.mode == MigrationMode.Sync ? OverwritePolicy.IfDifferent
                : overwrite == null ? OverwritePolicy.IfDifferent : overwrite;
        this.verify = verify == null ? VerifyMode.Checksum : verify;
        this.concurrency = workers.concurrencyOrDefault();
        this.configuredPartSize = workers.partSize == null ? null : Quantities.parseBytes(workers.partSize);
        this.fileThreads = Executors.newFixedThreadPool(concurrency, threads("ferry-file"));
        this.partThreads = Executors.newFixedThreadPool(concurrency, threads("ferry-part"));
        this.budget = budget;
        this.bandwidth = BandwidthLimiter.of(workers.bandwidthLimit == null ? null
                : Quantities.parseBytes(workers.bandwidthLimit));
    }

    public static CopyEngine forJob(MigrationJob job, EndpointPool s3) {
        return new CopyEngine(s3, job.getSpec().destination, job.getSpec().mode, job.getSpec().overwrite,
                job.getSpec().verify, job.getSpec().workersOrDefaults(), ByteBudget.forHeap());
    }

    public int concurrency() {
        return concurrency;
    }

    public EndpointPool s3() {
        return s3;
    }

    @Override
    public void close() {
        fileThreads.shutdown();
        partThreads.shutdown();
        try {
            fileThreads.awaitTermination(5, TimeUnit.SECONDS);
            partThreads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fileThreads.shutdownNow();
        partThreads.shutdownNow();
        s3.close();
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
