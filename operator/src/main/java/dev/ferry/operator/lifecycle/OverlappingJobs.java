package dev.ferry.operator.lifecycle;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.SourceSpec;
import dev.ferry.operator.state.Tasks;
import dev.ferry.operator.status.Conditions;
import dev.ferry.operator.validation.InvalidSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The other jobs a job must not run beside: two jobs that write the same keys would each overwrite what the
 * other stored (the later writer wins, and the earlier one's audit may already have passed: the predecessor's
 * "same file migrated twice by two nodes", now by two jobs), and a Move job deletes the source files another job
 * is reading. So a job does not start its run (no root plan, no workers) while an unfinished job
 * <ul>
 *   <li>writes to an overlapping key range: the same bucket of the same store (an endpoint in common, or both on
 *       the default AWS endpoint), one prefix equal to or inside the other; or</li>
 *   <li>reads an overlapping tree of the same claim (one path equal to or below the other), where either of the
 *       two runs is a Move,</li>
 * </ul>
 * and that job has started its run, or has not but comes first (created earlier; at the same second, by
 * namespace and name) and can start: its spec is valid. The order among jobs that have not started is total, so
 * of two jobs applied together exactly one starts, and a job that started is never stopped by a later one.
 * Jobs in any namespace the operator watches count: a bucket is not namespaced.
 *
 * <p>Not seen: the same store reached through two gateways that the two jobs name differently, or the same
 * export bound by two claims. A job already running when an overlapping one is applied (or before this rule
 * existed) goes on; the rule holds back only jobs that have not started.
 */
public final class OverlappingJobs {
    /** Condition reason and Event reason of a job that waits for another to finish. */
    public static final String REASON = "WaitingForOverlappingJob";
    /** At most this many other jobs are named in the message. */
    static final int NAMED = 3;

    private OverlappingJobs() {
    }

    /** One job the given job waits for, and why. */
    public record Overlap(MigrationJob other, String what) {
        String describe() {
            String state = !started(other) ? "applied first" : other.getSpec().isSuspended() ? "suspended" : "running";
            return other.getMetadata().getNamespace() + "/" + other.getMetadata().getName() + " (" + what + ", "
                    + state + ")";
        }
    }

    /**
     * The jobs among {@code jobs} that {@code job}, which has not started its run of mode {@code runMode}, must
     * wait for; empty when it may start.
     */
    public static List<Overlap> blocking(MigrationJob job, MigrationMode runMode, Stream<MigrationJob> jobs) {
        List<Overlap> overlaps = new ArrayList<>();
        jobs.filter(other -> !Objects.equals(other.getMetadata().getUid(), job.getMetadata().getUid()))
                .filter(other -> !finished(other))
                .filter(other -> started(other) || (comesFirst(other, job) && canStart(other)))
                .sorted(Comparator.comparing((MigrationJob other) -> !started(other)).thenComparing(ORDER))
                .forEach(other -> overlap(job, runMode, other).ifPresent(what -> overlaps.add(new Overlap(other, what))));
        return overlaps;
    }

    /** The condition message: whom the job waits for, and what to do about it. */
    public static String message(List<Overlap> overlaps) {
        String named = overlaps.stream().limit(NAMED).map(Overlap::describe).collect(Collectors.joining("; "));
        String more = overlaps.size() > NAMED ? " and " + (overlaps.size() - NAMED) + " more" : "";
        return "waiting for " + named + more + " to finish: two jobs must not write the same keys, or move files "
                + "another job reads; this job starts when they are done (to run side by side, give them prefixes "
                + "that do not contain each other)";
    }

    /** What the two jobs share, or empty. */
    static Optional<String> overlap(MigrationJob job, MigrationMode runMode, MigrationJob other) {
        DestinationSpec mine = job.getSpec().destination;
        DestinationSpec theirs = other.getSpec().destination;
        if (mine != null && theirs != null && sameBucket(mine, theirs)
                && nested(keyPath(mine.normalizedPrefix()), keyPath(theirs.normalizedPrefix()))) {
            return Optional.of("writes s3://" + theirs.bucket + "/" + theirs.normalizedPrefix());
        }
        SourceSpec from = job.getSpec().source;
        SourceSpec theirSource = other.getSpec().source;
        boolean moving = runMode == MigrationMode.Move || runModeOf(other) == MigrationMode.Move;
        if (moving && from != null && theirSource != null
                && Objects.equals(job.getMetadata().getNamespace(), other.getMetadata().getNamespace())
                && Objects.equals(from.pvc, theirSource.pvc)
                && nested(treePath(from.pathOrRoot()), treePath(theirSource.pathOrRoot()))) {
            return Optional.of((runModeOf(other) == MigrationMode.Move ? "moves" : "reads") + " " + theirSource.pvc + ":"
                    + theirSource.pathOrRoot());
        }
        return Optional.empty();
    }

    static boolean sameBucket(DestinationSpec a, DestinationSpec b) {
        if (a.bucket == null || !a.bucket.equals(b.bucket)) {
            return false;
        }
        Set<String> mine = endpoints(a);
        Set<String> theirs = endpoints(b);
        if (mine.isEmpty() || theirs.isEmpty()) {
            return mine.isEmpty() && theirs.isEmpty(); // both AWS's own endpoint; bucket names are global there
        }
        return mine.stream().anyMatch(theirs::contains);
    }

    private static Set<String> endpoints(DestinationSpec destination) {
        if (destination.endpoints == null) {
            return Set.of();
        }
        return destination.endpoints.stream().filter(Objects::nonNull).map(OverlappingJobs::normalizedEndpoint)
                .filter(e -> !e.isEmpty()).collect(Collectors.toSet());
    }

    /** Scheme and host are case-insensitive; a trailing slash says nothing. */
    static String normalizedEndpoint(String endpoint) {
        String e = endpoint.strip().toLowerCase(Locale.ROOT);
        while (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        return e;
    }

    /** A key prefix as the start of every key below it: "" for the root, else "prefix/". */
    private static String keyPath(String normalizedPrefix) {
        return normalizedPrefix.isEmpty() ? "" : normalizedPrefix + "/";
    }

    /** A source path as the start of every path below it, with one slash at each end: "/", "/data/". */
    static String treePath(String path) {
        String p = path.strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p.isEmpty() ? "/" : "/" + p + "/";
    }

    /** One range inside the other (or the same). */
    private static boolean nested(String a, String b) {
        return a.startsWith(b) || b.startsWith(a);
    }

    private static MigrationMode runModeOf(MigrationJob job) {
        MigrationJobStatus status = job.getStatus();
        if (status != null && status.runMode != null) {
            return status.runMode;
        }
        return job.getSpec().modeOfRun(status == null ? null : status.run);
    }

    static boolean started(MigrationJob job) {
        return job.getStatus() != null && job.getStatus().startTime != null;
    }

    private static boolean finished(MigrationJob job) {
        return job.getStatus() != null && job.getStatus().phase != null && job.getStatus().phase.isFinished();
    }

    /** A job recorded with an invalid spec starts nothing until it is edited, so nobody waits for it. */
    private static boolean canStart(MigrationJob job) {
        return job.getStatus() == null || Conditions.find(job.getStatus().conditions, Conditions.READY)
                .map(ready -> !InvalidSpec.REASON.equals(ready.getReason()))
                .orElse(true);
    }

    /** Created earlier; at the same second (the timestamps' resolution), by namespace and then name. */
    private static final Comparator<MigrationJob> ORDER = Comparator
            .comparing((MigrationJob job) -> Tasks.parse(job.getMetadata().getCreationTimestamp()).orElse(Instant.MAX))
            .thenComparing(job -> Objects.requireNonNullElse(job.getMetadata().getNamespace(), ""))
            .thenComparing(job -> job.getMetadata().getName());

    static boolean comesFirst(MigrationJob a, MigrationJob b) {
        return ORDER.compare(a, b) < 0;
    }
}
