package dev.ferry.worker.config;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.MarkMigrated;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.PosixAttributes;
import dev.ferry.api.Quantities;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.VerifyMode;
import dev.ferry.api.WorkersSpec;

/**
 * What planning and copying need of a job's spec, parsed once: quantities are bytes, absent fields
 * are their defaults (the spec's {@code ...OrDefault} accessors, which match the CRD schema), and
 * Sync's overwrite rule is applied. Immutable, so one value is shared by every task of the job.
 *
 * @param jobUid the job's UID, written on every object ({@code ferry-job}) so that a later holder of a task
 *     can tell an object this job wrote from one that was there before; null outside a job (tests)
 * @param configuredPartSize {@code spec.workers.partSize} in bytes; null: chosen per file
 * @param bandwidthLimit {@code spec.workers.bandwidthLimit} in bytes per second; null: unlimited
 * @param maxFiles {@code spec.tasks.maxFiles}: the most files of a plan's later tasks ({@code TaskSizes})
 * @param maxBytes {@code spec.tasks.maxBytes} in bytes
 * @param markMigrated {@code spec.source.markMigrated}: Xattr marks each migrated file on the source
 * @param posixAttributes {@code spec.destination.posixAttributes}: whether objects carry mode, uid and gid
 * @param run the job's run ({@code status.run}, 1 for the first): part of what its objects' {@code ferry-job} says
 */
public record JobSettings(
        String jobUid,
        String bucket,
        String prefix,
        String storageClass,
        MigrationMode mode,
        OverwritePolicy overwrite,
        VerifyMode verify,
        int replicas,
        int concurrency,
        Long configuredPartSize,
        Long bandwidthLimit,
        int maxFiles,
        long maxBytes,
        int maxActive,
        int historyLimit,
        long splitFileSize,
        int splitDirectoryEntries,
        MarkMigrated markMigrated,
        PosixAttributes posixAttributes,
        long run) {

    public static JobSettings of(MigrationJob job) {
        MigrationJobSpec spec = job.getSpec();
        // The run's mode: the spec's for the first run, Sync for later runs of a scheduled or re-run job
        MigrationMode mode = spec.modeOfRun(job.getStatus() == null ? null : job.getStatus().run);
        return of(job.getMetadata() == null ? null : job.getMetadata().getUid(), spec.destination, mode,
                spec.overwrite, spec.verify, spec.workersOrDefaults(), spec.tasksOrDefaults())
                .withMarkMigrated(spec.source == null ? MarkMigrated.None : spec.source.markMigratedOrDefault())
                .withRun(job.getStatus() == null ? 1 : job.getStatus().runOrFirst());
    }

    public JobSettings withMarkMigrated(MarkMigrated value) {
        return new JobSettings(jobUid, bucket, prefix, storageClass, mode, overwrite, verify, replicas, concurrency,
                configuredPartSize, bandwidthLimit, maxFiles, maxBytes, maxActive, historyLimit, splitFileSize,
                splitDirectoryEntries, value, posixAttributes, run);
    }

    public JobSettings withRun(long value) {
        return new JobSettings(jobUid, bucket, prefix, storageClass, mode, overwrite, verify, replicas, concurrency,
                configuredPartSize, bandwidthLimit, maxFiles, maxBytes, maxActive, historyLimit, splitFileSize,
                splitDirectoryEntries, markMigrated, posixAttributes, value);
    }

    /**
     * What {@code ferry-job} holds on the objects this run writes: the job's UID for its first run (as before runs
     * existed), {@code <uid>/run-<n>} from the second on; null outside a job. The run is part of it because every later
     * run of a scheduled job is a Sync over the same keys: an object an earlier run wrote was there before this run,
     * so an unchanged file is skipped, not counted and announced as copied again (the mark says "this run wrote it":
     * a later holder of one of the run's tasks reports such an object copied).
     */
    public String objectWriter() {
        return jobUid == null || run <= 1 ? jobUid : jobUid + "/run-" + run;
    }

    public static JobSettings of(String jobUid, DestinationSpec destination, MigrationMode mode,
                                 OverwritePolicy overwrite, VerifyMode verify, WorkersSpec workers, TasksSpec tasks) {
        MigrationMode effectiveMode = mode == null ? MigrationMode.Copy : mode;
        // Sync means "only new or changed files", whatever overwrite says: Always would copy everything
        // again and Never would miss changed files
        OverwritePolicy effectiveOverwrite = effectiveMode == MigrationMode.Sync || overwrite == null
                ? OverwritePolicy.IfDifferent : overwrite;
        return new JobSettings(
                jobUid,
                destination.bucket,
                destination.normalizedPrefix(),
                destination.storageClass,
                effectiveMode,
                effectiveOverwrite,
                verify == null ? VerifyMode.Checksum : verify,
                workers.replicasOrDefault(),
                workers.concurrencyOrDefault(),
                bytesOrNull(workers.partSize),
                bytesOrNull(workers.bandwidthLimit),
                tasks.maxFilesOrDefault(),
                tasks.maxBytesOrDefault(),
                tasks.maxActiveOrDefault(),
                tasks.historyLimitOrDefault(),
                tasks.splitFileSizeOrDefault(),
                tasks.splitDirectoryEntriesOrDefault(),
                MarkMigrated.None,
                destination.posixAttributesOrDefault(),
                1);
    }

    private static Long bytesOrNull(String quantity) {
        return quantity == null ? null : Quantities.parseBytes(quantity);
    }
}
