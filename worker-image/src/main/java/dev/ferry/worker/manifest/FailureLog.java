package dev.ferry.worker.manifest;

import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.worker.s3.EndpointPool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;

/**
 * Every failed file of a Copy task, kept under the state prefix so that the failure report names each one
 * whatever the audit ({@code spec.audit: None} too) and whether or not the task was folded away: a status
 * holds only the first {@value MigrationTaskStatus#MAX_FAILURES_IN_STATUS}, and a folded task none.
 * {@code failures/<task>/<epoch>-<n>.jsonl}: JSON lines of a failure and its ordinal {@code n} (the n-th
 * failed file of the task in the order of its files, which is the order its checkpoint counts them in).
 * Nothing is written for a task without failures.
 *
 * <p>A holder stores its new lines before the status write whose checkpoint passes them, so a checkpoint
 * never passes a failure that is not stored. A holder that dies between the two leaves lines that the
 * next holder may disprove, since it does those files again (and may copy them). So every holder after
 * the first marks the failed count it started from ({@code <epoch>-from-<failed>}), and a line counts only
 * when its ordinal is at most the count every later holder started from; of two lines of one ordinal, the
 * later holder's counts. The Parts task with part 1 logs its file's failure and marks its starts the
 * same way (the other Parts tasks of the file count no file).
 *
 * <p>A Plan task keeps two such logs, counted like a Copy task's: the directories it could not list under
 * {@code failures/} (its {@code progress.failed}), and under {@code left-out/} every entry it left out by policy
 * (its {@code progress.skipped}, {@link #leftOut}), of which its status keeps the first
 * {@value MigrationTaskStatus#MAX_FAILURES_IN_STATUS} as {@code skippedEntries}.
 */
public final class FailureLog {
    private static final Pattern LINES = Pattern.compile("(\\d+)-(\\d+)\\.jsonl");
    private static final Pattern START = Pattern.compile("(\\d+)-from-(\\d+)");

    /** The n-th failed file of a task. */
    public record Numbered(long n, FileFailure failure) {
    }

    /** One stored line: what {@link Numbered} is in JSON. */
    static final class Line {
        public long n;
        public String path;
        public String code;
        public String message;
    }

    private final EndpointPool s3;
    private final String bucket;
    private final String folder;
    private final long epoch;

    private FailureLog(EndpointPool s3, String bucket, String folder, long epoch) {
        this.s3 = s3;
        this.bucket = bucket;
        this.folder = folder;
        this.epoch = epoch;
    }

    /** The log of {@code task} as its holder of {@code epoch} writes it. */
    public static FailureLog of(EndpointPool s3, String bucket, MigrationJob job, String task, long epoch) {
        return new FailureLog(s3, bucket, StatePrefix.failures(job) + task + "/", epoch);
    }

    /** The log of the entries Plan task {@code plan} left out by policy, as its holder of {@code epoch} writes it. */
    public static FailureLog leftOut(EndpointPool s3, String bucket, MigrationJob job, String plan, long epoch) {
        return new FailureLog(s3, bucket, StatePrefix.leftOut(job) + plan + "/", epoch);
    }

    /**
     * Marks the failed count this holder starts from (its task's checkpointed {@code progress.failed}):
     * lines an earlier holder stored beyond it no longer count. The first holder has no one to disprove.
     */
    public void startedFrom(long failed) {
        if (epoch > 1) {
            s3.call(c -> c.putObject(b -> b.bucket(bucket).key(folder + name(epoch) + "-from-" + failed),
                    RequestBody.empty()));
        }
    }

    /** Stores {@code failures} (ordered by {@code n}) in one object named by this holder and the first ordinal. */
    public void store(List<Numbered> failures) {
        if (failures.isEmpty()) {
            return;
        }
        List<Line> lines = new ArrayList<>();
        for (Numbered f : failures) {
            Line line = new Line();
            line.n = f.n();
            line.path = f.failure().path;
            line.code = f.failure().code;
            line.message = f.failure().message;
            lines.add(line);
        }
        String key = folder + name(epoch) + "-" + name(failures.get(0).n()) + ".jsonl";
        s3.call(c -> c.putObject(b -> b.bucket(bucket).key(key).contentType(JsonLines.CONTENT_TYPE),
                RequestBody.fromBytes(JsonLines.encode(lines))));
    }

    /** Takes the failures that count of one task at a time. */
    @FunctionalInterface
    public interface Reader {
        void task(String name, List<Numbered> counted) throws IOException;
    }

    /**
     * Hands every task's failures that count, ordered by ordinal, to {@code reader}, one task at a time:
     * a task's objects are next to each other in a listing (they share the prefix {@code <task>/}), so
     * memory holds the lines of one task, not of the job.
     */
    public static void read(EndpointPool s3, String bucket, MigrationJob job, Reader reader) throws IOException {
        read(s3, bucket, StatePrefix.failures(job), reader);
    }

    /** As {@link #read}, the entries the job's plans left out by policy ({@link #leftOut}). */
    public static void readLeftOut(EndpointPool s3, String bucket, MigrationJob job, Reader reader) throws IOException {
        read(s3, bucket, StatePrefix.leftOut(job), reader);
    }

    private static void read(EndpointPool s3, String bucket, String prefix, Reader reader) throws IOException {
        String task = null;
        TaskLog log = null;
        for (String key : StateObjects.keys(s3, bucket, prefix)) {
            String rest = key.substring(prefix.length());
            int slash = rest.lastIndexOf('/');
            if (slash <= 0) {
                continue;
            }
            String owner = rest.substring(0, slash);
            if (!owner.equals(task)) {
                if (log != null) {
                    reader.task(task, log.counted());
                }
                task = owner;
                log = new TaskLog();
            }
            String name = rest.substring(slash + 1);
            Matcher start = START.matcher(name);
            Matcher lines = LINES.matcher(name);
            if (start.matches()) {
                log.started(Long.parseLong(start.group(1)), Long.parseLong(start.group(2)));
            } else if (lines.matches()) {
                long epoch = Long.parseLong(lines.group(1));
                for (Line line : readLines(s3, bucket, key)) {
                    log.line(epoch, line);
                }
            }
        }
        if (log != null) {
            reader.task(task, log.counted());
        }
    }

    /** The lines and start marks of one task, and the rule of which lines count. */
    static final class TaskLog {
        private final Map<Long, Long> startedFrom = new HashMap<>();
        /** By ordinal: the line of the latest holder, with that holder's epoch. */
        private final SortedMap<Long, Map.Entry<Long, Line>> latest = new TreeMap<>();

        void started(long epoch, long failed) {
            startedFrom.put(epoch, failed);
        }

        void line(long epoch, Line line) {
            Map.Entry<Long, Line> held = latest.get(line.n);
            if (held == null || held.getKey() <= epoch) {
                latest.put(line.n, Map.entry(epoch, line));
            }
        }

        List<Numbered> counted() {
            List<Numbered> counted = new ArrayList<>();
            latest.forEach((n, held) -> {
                boolean disproved = startedFrom.entrySet().stream()
                        .anyMatch(s -> s.getKey() > held.getKey() && n > s.getValue());
                if (!disproved) {
                    Line line = held.getValue();
                    counted.add(new Numbered(n, new FileFailure(line.path, line.code, line.message)));
                }
            });
            return counted;
        }
    }

    private static List<Line> readLines(EndpointPool s3, String bucket, String key) throws IOException {
        return JsonLines.decode(s3.call(c -> c.getObject(b -> b.bucket(bucket).key(key),
                ResponseTransformer.toInputStream())), Line.class);
    }

    /** Fixed width, so that a listing orders a task's objects by holder, then by ordinal. */
    private static String name(long number) {
        return String.format("%010d", number);
    }
}
