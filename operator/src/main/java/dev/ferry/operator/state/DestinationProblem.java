package dev.ferry.operator.state;

import dev.ferry.api.FailureCode;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.operator.liveness.WorkerClocks;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * A problem of the job's destination as a whole (no such bucket, access denied, bad credentials, quota, every
 * endpoint down), read from its tasks: a holder that meets one hands its task back to Pending with a
 * {@code storeError} and no attempt used. The problem stands while the newest such error among the unfinished
 * tasks is newer than the last time any task of the job moved forward ({@code progressTime}); the first move
 * after it — a probe that got through, a task that never noticed — ends it. So the judgement needs no memory of
 * its own, and a new leader reaches the same one. Both times are written by workers, each with its node's clock,
 * and compared on the operator's ({@link WorkerClocks}): a node ten minutes ahead would otherwise keep the problem
 * standing for ten minutes after the store came back, its error newer than every probe's progress.
 *
 * @param code the store error's code ({@code S3_NO_SUCH_BUCKET}, {@code S3_QUOTA_EXCEEDED}, ...)
 * @param message the store's answer, as the holder reported it
 * @param time when the holder met it, as it reported it (on its node's clock: for people; the judgement compares
 *     it on the operator's, where it would move a little with every renewal of the holder's Lease)
 * @param task the task that carries it
 */
public record DestinationProblem(String code, String message, Instant time, String task) {

    /** The problem of the job's destination, or empty while its tasks move. */
    public static Optional<DestinationProblem> of(Collection<MigrationTask> tasks, WorkerClocks clocks) {
        DestinationProblem newest = null;
        Instant newestAt = null; // on the operator's clock
        Instant lastProgress = null;
        for (MigrationTask task : tasks) {
            Optional<Instant> progress = Tasks.progressTime(task, clocks);
            if (progress.isPresent() && (lastProgress == null || progress.get().isAfter(lastProgress))) {
                lastProgress = progress.get();
            }
            MigrationTaskStatus.StoreError error = task.getStatus() == null ? null : task.getStatus().storeError;
            if (error == null || Tasks.phase(task).isFinished()) {
                continue;
            }
            // An error without a readable time is as old as can be: it stands only while nothing ever moved.
            Instant at = Tasks.storeErrorTime(task, clocks).orElse(Instant.EPOCH);
            if (newestAt == null || at.isAfter(newestAt)) {
                newestAt = at;
                newest = new DestinationProblem(error.code == null ? "S3_ERROR" : error.code,
                        error.message == null ? "" : error.message, Tasks.parse(error.time).orElse(Instant.EPOCH),
                        task.getMetadata().getName());
            }
        }
        if (newest == null || (lastProgress != null && !newestAt.isAfter(lastProgress))) {
            return Optional.empty();
        }
        return Optional.of(newest);
    }

    /** The store refuses the workers' credentials (or they have none): often fixed by a change of a Secret. */
    public boolean credentialsRefused() {
        return FailureCode.S3_AUTH_FAILED.name().equals(code);
    }

    /** The store is full for us: shown as its own condition, QuotaExceeded. */
    public boolean quota() {
        return FailureCode.S3_QUOTA_EXCEEDED.name().equals(code);
    }
}
