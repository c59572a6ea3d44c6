package dev.ferry.cli;

import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.Plurals;
import dev.ferry.api.Quantities;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@code ferry status} prints of one job, from its status alone (and its workers' readiness):
 * progress, rate, an estimate of the time left, tasks, workers, failures by code and where the failure
 * report is. Nothing here asks the cluster anything.
 */
record JobReport(MigrationJob job, Workers workers, Instant now) {

    /** The job's worker Deployment as seen now; null fields when it does not exist (yet, or any more). */
    record Workers(String deployment, Integer desired, Integer ready) {
        static final Workers NONE = new Workers(null, null, null);
    }

    static final String TABLE_FORMAT = "%-32s %-10s %8s %21s %21s %11s %8s %6s%n";

    static void printTableHeader(PrintStream out, boolean namespaces) {
        out.printf(Locale.ROOT, (namespaces ? "%-16s " : "") + TABLE_FORMAT, namespaces
                ? new Object[] {"NAMESPACE", "NAME", "PHASE", "PROGRESS", "FILES", "BYTES", "RATE", "ETA", "AGE"}
                : new Object[] {"NAME", "PHASE", "PROGRESS", "FILES", "BYTES", "RATE", "ETA", "AGE"});
    }

    /** One line of {@code ferry status} without a job name. */
    void printRow(PrintStream out, boolean namespaces) {
        MigrationJobStatus s = status();
        String name = job.getMetadata().getName();
        Object[] cells = {name, phase(), s.progress == null ? "" : s.progress,
                s.files.done() + "/" + s.files.total + (planned() ? "" : "+"),
                compact(Quantities.humanBytes(s.bytes.copied) + "/" + Quantities.humanBytes(s.bytes.total)),
                compact(rate()), eta().map(JobReport::shortDuration).orElse("-"), age()};
        if (namespaces) {
            Object[] withNamespace = new Object[cells.length + 1];
            withNamespace[0] = job.getMetadata().getNamespace();
            System.arraycopy(cells, 0, withNamespace, 1, cells.length);
            cells = withNamespace;
        }
        out.printf(Locale.ROOT, (namespaces ? "%-16s " : "") + TABLE_FORMAT, cells);
    }

    /** The detailed view of {@code ferry status JOB}. */
    void print(PrintStream out) {
        MigrationJobStatus s = status();
        out.printf(Locale.ROOT, "Job:        %s/%s%n", job.getMetadata().getNamespace(), job.getMetadata().getName());
        out.printf(Locale.ROOT, "Phase:      %s%s%n", phase(), s.progress == null ? "" : " (" + s.progress + ")");
        readyCondition().ifPresent(c -> out.printf(Locale.ROOT, "Ready:      %s %s%s%n", c.getStatus(), c.getReason(),
                c.getMessage() == null || c.getMessage().isEmpty() ? "" : ": " + c.getMessage()));
        String label = "Conditions: ";
        for (Condition c : conditionsBesideReady()) {
            out.printf(Locale.ROOT, "%s%s=%s %s: %s%n", label, c.getType(), c.getStatus(), c.getReason(), c.getMessage());
            label = "            ";
        }
        out.printf(Locale.ROOT, "Files:      %d of %d%s done: %d copied, %d skipped, %d failed%s%n", s.files.done(),
                s.files.total, planned() ? "" : " found so far (still planning)", s.files.copied, s.files.skipped,
                s.files.failed, s.files.leftOut == 0 ? "" : "; " + s.files.leftOut + " entries left out by policy");
        out.printf(Locale.ROOT, "Bytes:      %s of %s copied%n", Quantities.humanBytes(s.bytes.copied),
                Quantities.humanBytes(s.bytes.total));
        out.printf(Locale.ROOT, "Rate:       %s, %s files/s (average since the start)%n", rate(),
                s.throughput == null ? "0" : String.format(Locale.ROOT, "%.1f", s.throughput.filesPerSecond));
        if (!isFinished()) {
            out.printf(Locale.ROOT, "ETA:        %s%n", eta().map(d -> shortDuration(d) + " (at the average rates so far)")
                    .orElse(planned() ? "unknown until files finish" : "unknown while planning"));
        }
        out.printf(Locale.ROOT, "Tasks:      %d pending, %d assigned, %d running, %d succeeded, %d failed%s%n",
                s.tasks.pending, s.tasks.assigned, s.tasks.running, s.tasks.succeeded, s.tasks.failed,
                s.history == null || s.history.folded.tasks == 0 ? ""
                        : " (+" + s.history.folded.tasks + " finished and folded into the counts)");
        out.printf(Locale.ROOT, "Workers:    %s%n", workers.deployment() == null ? "none"
                : String.format(Locale.ROOT, "%d/%d ready (deployment %s)", nullToZero(workers.ready()),
                        nullToZero(workers.desired()), workers.deployment()));
        if (s.files.failed > 0 || (s.failures != null && !s.failures.isEmpty())) {
            out.printf(Locale.ROOT, "Failures:   %s; by code in the %d listed: %s%n", Plurals.files(s.files.failed),
                    failures().size(), failuresByCode());
            failures().stream().limit(5).forEach(f -> out.printf(Locale.ROOT, "            %s: %s%s%n", f.path, f.code,
                    f.message == null ? "" : " (" + f.message + ")"));
        }
        if (s.audit != null) {
            out.printf(Locale.ROOT, "Audit:      %s: %d checked, %d missing, %d different, %d copied again, %d still wrong%s%n",
                    s.audit.mode, s.audit.checked, s.audit.missing, s.audit.different, s.audit.recopied,
                    s.audit.reported, s.audit.laterVersionsNote());
        }
        if (s.failureReport != null) {
            out.printf(Locale.ROOT, "Report:     s3://%s/%s%n", job.getSpec().destination.bucket, s.failureReport);
        }
        if (s.audit != null && s.audit.leftOutReport != null) {
            out.printf(Locale.ROOT, "Left out:   %d entries by policy, listed in s3://%s/%s%n", s.files.leftOut,
                    job.getSpec().destination.bucket, s.audit.leftOutReport);
        }
    }

    /**
     * The job's other conditions that say something (NotificationsPending, QuotaExceeded, Degraded, Verified,
     * Scheduled, ...): those with a message. Progressing repeats Ready's message and is left out.
     */
    List<Condition> conditionsBesideReady() {
        return status().conditions.stream()
                .filter(c -> !"Ready".equals(c.getType()) && !"Progressing".equals(c.getType()))
                .filter(c -> c.getMessage() != null && !c.getMessage().isBlank())
                .toList();
    }

    String failuresByCode() {
        Map<String, Long> byCode = failures().stream()
                .collect(Collectors.groupingBy(f -> String.valueOf(f.code), TreeMap::new, Collectors.counting()));
        return byCode.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /**
     * Time left at the average rates so far: the later of the file rate's and, while no file was skipped, the byte
     * rate's (a tree whose large files come last has most files done and most bytes not: by files alone it showed
     * "2s" for hours). A skipped file's bytes are never copied, so with skips only the file rate tells. Empty while
     * planning (the total still grows), when nothing has finished yet, and once the job is finished.
     */
    java.util.Optional<Duration> eta() {
        return timeLeft(status());
    }

    /** {@link #eta()} of a job with status {@code s} (also the progress bar's of {@code ferry migrate}). */
    static java.util.Optional<Duration> timeLeft(MigrationJobStatus s) {
        boolean finished = s.phase != null && s.phase.isFinished();
        if (finished || !Boolean.TRUE.equals(s.planned) || s.throughput == null || s.throughput.filesPerSecond <= 0) {
            return java.util.Optional.empty();
        }
        double seconds = Math.max(0, s.files.total - s.files.done()) / s.throughput.filesPerSecond;
        if (s.files.skipped == 0 && s.throughput.bytesPerSecond > 0) {
            seconds = Math.max(seconds, Math.max(0, s.bytes.total - s.bytes.copied) / (double) s.throughput.bytesPerSecond);
        }
        return java.util.Optional.of(Duration.ofSeconds((long) Math.ceil(seconds)));
    }

    String rate() {
        MigrationJobStatus s = status();
        return (s.throughput == null ? "0 B" : Quantities.humanBytes(s.throughput.bytesPerSecond)) + "/s";
    }

    private MigrationJobStatus status() {
        return job.getStatus() != null ? job.getStatus() : new MigrationJobStatus();
    }

    private String phase() {
        return status().phase == null ? "Pending" : status().phase.toString();
    }

    private boolean planned() {
        return Boolean.TRUE.equals(status().planned);
    }

    private boolean isFinished() {
        return status().phase != null && status().phase.isFinished();
    }

    private List<FileFailure> failures() {
        return status().failures == null ? List.of() : status().failures;
    }

    private java.util.Optional<Condition> readyCondition() {
        return status().conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    private String age() {
        try {
            return shortDuration(Duration.between(Instant.parse(job.getMetadata().getCreationTimestamp()), now));
        } catch (DateTimeParseException | NullPointerException e) {
            return "-";
        }
    }

    /** A cell without spaces, so that the table's columns split on whitespace: "1.2GiB/2.9GiB". */
    private static String compact(String cell) {
        return cell.replace(" ", "");
    }

    private static int nullToZero(Integer value) {
        return value == null ? 0 : value;
    }

    /** "45s", "12m", "3h5m", "2d4h": what a person reads at a glance. */
    static String shortDuration(Duration d) {
        long seconds = Math.max(0, d.getSeconds());
        if (seconds < 120) {
            return seconds + "s";
        } else if (seconds < 3600) {
            return seconds / 60 + "m";
        } else if (seconds < 48 * 3600) {
            return seconds / 3600 + "h" + (seconds % 3600 / 60 > 0 ? seconds % 3600 / 60 + "m" : "");
        }
        return seconds / 86400 + "d" + (seconds % 86400 / 3600 > 0 ? seconds % 86400 / 3600 + "h" : "");
    }
}
