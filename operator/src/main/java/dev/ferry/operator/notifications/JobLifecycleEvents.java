package dev.ferry.operator.notifications;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.events.EventType;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.api.events.JobEventData;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The operator's own events: {@code job.started} and {@code job.finished}. Their ids depend only on the
 * job's UID (and how it ended; from the second run on, the run's number), so whoever sends one again — this operator after a lost acknowledgement,
 * a new leader after a failover — sends it with the same id.
 */
final class JobLifecycleEvents {

    private JobLifecycleEvents() {
    }

    static FerryEvent started(MigrationJob job, MigrationJobStatus status, Instant now) {
        MigrationJobSpec spec = job.getSpec();
        JobEventData data = new JobEventData(job.getMetadata().getUid(), job.getMetadata().getNamespace(),
                job.getMetadata().getName(), status.runOrFirst(), status.phase == null ? null : status.phase.name(),
                spec.modeOfRun(status.run).name(), spec.destination.bucket, spec.destination.prefix,
                null, null, null, null, null, status.startTime, null, null);
        return FerryEvent.job(EventType.JOB_STARTED, data, time(now), status.runOrFirst());
    }

    /** The end with the final counters of {@code status.files} and {@code status.bytes}. */
    static FerryEvent finished(MigrationJob job, MigrationJobStatus ending, String why, Instant now) {
        MigrationJobSpec spec = job.getSpec();
        JobEventData data = new JobEventData(job.getMetadata().getUid(), job.getMetadata().getNamespace(),
                job.getMetadata().getName(), ending.runOrFirst(), ending.phase.name(), spec.modeOfRun(ending.run).name(),
                spec.destination.bucket, spec.destination.prefix,
                ending.files.total, ending.files.copied, ending.files.skipped, ending.files.failed, ending.bytes.copied,
                ending.startTime, ending.completionTime, why);
        return FerryEvent.job(EventType.JOB_FINISHED, data, time(now), ending.runOrFirst());
    }

    /** The completion time a {@code job.finished} event announced. */
    static String completionTime(FerryEvent finished) {
        return ((JobEventData) finished.data()).completionTime();
    }

    private static OffsetDateTime time(Instant now) {
        return OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    }
}
