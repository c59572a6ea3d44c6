package dev.ferry.operator.lifecycle;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When a finished job has outlived {@code spec.ttlSecondsAfterFinished}: at completionTime + ttl.
 * A pure function of the job, so the reconciler can both decide and reschedule on it.
 */
public final class FinishedJobTtl {

    private FinishedJobTtl() {
    }

    /**
     * The moment the job may be deleted; empty while it runs, when it has no TTL, or when its
     * completionTime is missing or unreadable (a job is never deleted on a guess).
     */
    public static Optional<Instant> expiry(MigrationJob job, MigrationJobStatus status) {
        Integer ttl = job.getSpec() == null ? null : job.getSpec().ttlSecondsAfterFinished;
        if (ttl == null || ttl < 0 || status == null || status.phase == null || !status.phase.isFinished()
                || status.completionTime == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(status.completionTime).toInstant().plusSeconds(ttl));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** True once completionTime + ttl lies strictly before {@code now}. */
    public static boolean isExpired(MigrationJob job, MigrationJobStatus status, Instant now) {
        return expiry(job, status).map(now::isAfter).orElse(false);
    }
}
