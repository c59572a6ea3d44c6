package dev.ferry.worker.copy;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MarkMigrated;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.PosixAttributes;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.VerifyMode;
import dev.ferry.api.WorkersSpec;
import dev.ferry.worker.config.JobSettings;
import dev.ferry.worker.metrics.FileMetrics;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.source.SourceStat;
import dev.ferry.worker.task.WorkerStanding;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;

/**
 * The upload machinery of one job in one worker, shared by all its Copy tasks: the pool of S3
 * gateways (every S3 call of a copy goes through it), a bounded pool of file threads, a bounded pool
 * of part threads (separate, so a file thread waiting for its parts never starves them) and the
 * in-memory byte budget.
 */
public final class CopyEngine implements AutoCloseable {
    /** The job's settings, parsed once from its spec. */
    public final JobSettings settings;
    public final EndpointPool s3;
    public final String bucket;
    public final String prefix;
    public final String storageClass;
    /** Copy, Sync (new or changed files only) or Move (the source file is deleted once verified). */
    public final MigrationMode mode;
    public final OverwritePolicy overwrite;
    public final VerifyMode verify;
    public final int concurrency;
    public final Long configuredPartSize;
    public final ExecutorService fileThreads;
    public final ExecutorService partThreads;
    public final ByteBudget budget;
    /** Full-size part buffers between parts; idle ones hold at most a quarter of {@link #budget}. */
    final PartBuffers partBuffers;
    /** {@code spec.workers.bandwidthLimit}, shared by every upload of this worker for the job. */
    public final BandwidthLimiter bandwidth;
    /** The worker's file counters ({@code ferry_files_*}), moved where a task's counters move. */
    public final FileMetrics meters;
    /** {@code spec.source.markMigrated: Xattr}; null: files are not marked. */
    public final MigratedMarks marks;
    /** Whether the worker may start new files and parts: its Lease is renewed ({@link WorkerStanding}). */
    public final WorkerStanding standing;
    /** Test seams; set only by tests, before the engine copies anything. */
    public volatile CopyHooks hooks = CopyHooks.NONE;
    /**
     * Objects above this get new metadata by a multipart copy onto themselves rather than CopyObject:
     * S3's 5 GiB. A test seam like {@link #hooks}: tests lower it to exercise the multipart copy.
     */
    public volatile long copyObjectLimit = Uploads.COPY_OBJECT_LIMIT;

    public CopyEngine(EndpointPool s3, DestinationSpec destination, OverwritePolicy overwrite, VerifyMode verify,
                      WorkersSpec workers, ByteBudget budget) {
        this(s3, destination, MigrationMode.Copy, overwrite, verify, workers, budget);
    }

    public CopyEngine(EndpointPool s3, DestinationSpec destination, MigrationMode mode, OverwritePolicy overwrite,
                      VerifyMode verify, WorkersSpec workers, ByteBudget budget) {
        this(s3, JobSettings.of(null, destination, mode, overwrite, verify, workers, new TasksSpec()), budget);
    }

    public CopyEngine(EndpointPool s3, JobSettings settings, ByteBudget budget) {
        this(s3, settings, budget, FileMetrics.NONE, WorkerStanding.ALWAYS_GOOD);
    }

    /**
     * The engine of one job: its gateways (owned by the worker, closed with the engine) and its settings; new
     * files and parts start only while {@code standing} is good.
     */
    public CopyEngine(EndpointPool s3, JobSettings settings, ByteBudget budget, FileMetrics meters,
                      WorkerStanding standing) {
        this.settings = settings;
        this.standing = standing;
        this.meters = meters;
        this.s3 = s3;
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
        this.storageClass = settings.storageClass();
        this.mode = settings.mode();
        this.overwrite = settings.overwrite();
        this.verify = settings.verify();
        this.concurrency = settings.concurrency();
        this.configuredPartSize = settings.configuredPartSize();
        this.fileThreads = Executors.newFixedThreadPool(concurrency, threads("ferry-file"));
        this.partThreads = Executors.newFixedThreadPool(concurrency, threads("ferry-part"));
        this.budget = budget;
        this.partBuffers = new PartBuffers(budget.bytes() / 4);
        this.bandwidth = BandwidthLimiter.of(settings.bandwidthLimit());
        this.marks = settings.markMigrated() == MarkMigrated.Xattr
                ? new MigratedMarks(settings.jobUid(), java.time.Clock.systemUTC()) : null;
    }

    /**
     * The engine of {@code job} on its gateways, with a heap-sized byte budget, counting its files' outcomes in
     * {@code meters}, starting new work only while {@code standing} is good.
     */
    public static CopyEngine forJob(MigrationJob job, EndpointPool s3, FileMetrics meters, WorkerStanding standing) {
        return new CopyEngine(s3, JobSettings.of(job), ByteBudget.forHeap(), meters, standing);
    }

    /**
     * What Ferry stores about a file on its object, with the job that wrote it: mode, uid and gid only under
     * {@code posixAttributes: Store}.
     */
    public Map<String, String> metadataOf(SourceStat stat, byte[] md5) {
        return withJob(settings.posixAttributes() == PosixAttributes.Skip ? ObjectMetadata.of(stat.mtime(), md5)
                : ObjectMetadata.of(stat, md5));
    }

    /** {@code metadata} with this job run's mark ({@code ferry-job}: {@link JobSettings#objectWriter()}). */
    public Map<String, String> withJob(Map<String, String> metadata) {
        return ObjectMetadata.withJob(metadata, settings.objectWriter());
    }

    /**
     * True when the object's metadata says this run of this job wrote it (an earlier holder of one of its tasks);
     * an earlier run's object was there before this run.
     */
    public boolean writtenByThisJob(Map<String, String> metadata) {
        String writer = settings.objectWriter();
        return writer != null && writer.equals(metadata.get(ObjectMetadata.JOB));
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
        return BasicThreadFactory.builder().namingPattern(name + "-%d").daemon(true).build();
    }
}
