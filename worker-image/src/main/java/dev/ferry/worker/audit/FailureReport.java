package dev.ferry.worker.audit;

import dev.ferry.api.Ferry;
import dev.ferry.api.FailureReportLine;
import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.worker.manifest.FailureLog;
import dev.ferry.worker.manifest.JsonLines;
import dev.ferry.worker.manifest.StateObjects;
import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.s3.EndpointPool;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongFunction;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;

/**
 * The job's failure report: one object of JSON lines ({@link FailureReportLine}) under the state prefix,
 * {@link StatePrefix#failureReport}, with every file the job did not migrate as far as anyone can tell:
 * first what the audit found (its findings under {@code audit/}, per manifest), then every failure the
 * tasks that still exist recorded in their status, every failed file of every Copy task, folded away or
 * not ({@link FailureLog}), and the job's own sample, each path once. A line of the audit names the
 * task's attempts when the task still exists. Written through a temporary file, so memory holds only the
 * set of paths already written and one task's failure log, not the report. No report is written when
 * there is nothing to report. Beside it, the left-out report ({@link #leftOut}): the entries planning left out
 * by policy, which are not failures.
 */
final class FailureReport {

    /** The report's key (empty when nothing was reported) and its number of lines. */
    record Written(Optional<String> key, long lines) {
    }

    private final KubernetesClient client;
    private final EndpointPool s3;
    private final String bucket;
    private Map<String, MigrationTask> jobTasks;

    FailureReport(KubernetesClient client, EndpointPool s3, String bucket) {
        this.client = client;
        this.s3 = s3;
        this.bucket = bucket;
    }

    Written write(MigrationJob job) {
        Map<String, MigrationTask> tasks = tasksOf(job);
        return written(StatePrefix.failureReport(job), (out, written) -> {
            for (String key : StateObjects.keys(s3, bucket, StatePrefix.auditFindings(job))) {
                for (FailureReportLine line : readLines(key)) {
                    withTask(line, tasks.get(line.task));
                    if (written.add(line.path)) {
                        write(out, line);
                    }
                }
            }
            for (MigrationTask task : tasks.values()) {
                MigrationTaskStatus status = task.getStatus();
                if (status != null && status.failures != null) {
                    writeTaskFailures(out, written, task.getMetadata().getName(), task, status.failures);
                }
            }
            FailureLog.read(s3, bucket, job, (name, counted) -> writeTaskFailures(out, written, name, tasks.get(name),
                    countedBy(tasks.get(name), counted, p -> p.failed)));
            List<FileFailure> sample = job.getStatus() == null ? null : job.getStatus().failures;
            for (FileFailure failure : sample == null ? List.<FileFailure>of() : sample) {
                if (written.add(failure.path)) {
                    write(out, of(failure));
                }
            }
        });
    }

    /**
     * The job's left-out report ({@link StatePrefix#leftOutReport}): every entry its plans left out by policy
     * (links not followed, special files, files too recent, ...), each path once, with its code and plan, from
     * the plans' {@code skippedEntries} and their logs ({@link FailureLog#readLeftOut}); none written when no
     * plan left anything out. Not failures: the job's verdict does not read it.
     */
    Written leftOut(MigrationJob job) {
        Map<String, MigrationTask> tasks = tasksOf(job);
        return written(StatePrefix.leftOutReport(job), (out, written) -> {
            for (MigrationTask task : tasks.values()) {
                MigrationTaskStatus status = task.getStatus();
                if (status != null && status.skippedEntries != null) {
                    writeTaskFailures(out, written, task.getMetadata().getName(), null, status.skippedEntries);
                }
            }
            FailureLog.readLeftOut(s3, bucket, job, (name, counted) -> writeTaskFailures(out, written, name, null,
                    countedBy(tasks.get(name), counted, p -> p.skipped)));
        });
    }

    /** What a report writes into its temporary file, adding each path it writes to {@code written}. */
    @FunctionalInterface
    private interface Lines {
        void writeTo(BufferedWriter out, Set<String> written) throws IOException;
    }

    /**
     * A report of {@code lines} stored at {@code key}, written through a temporary file so memory holds only
     * the set of paths written; nothing is stored when there are none.
     */
    private Written written(String key, Lines lines) {
        Path file = null;
        try {
            file = Files.createTempFile("ferry-report", ".jsonl");
            Set<String> written = new HashSet<>();
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                lines.writeTo(out, written);
            }
            if (written.isEmpty()) {
                return new Written(Optional.empty(), 0);
            }
            Path body = file;
            s3.call(c -> c.putObject(b -> b.bucket(bucket).key(key).contentType(JsonLines.CONTENT_TYPE), RequestBody.fromFile(body)));
            return new Written(Optional.of(key), written.size());
        } catch (IOException e) {
            throw new UncheckedIOException("writing the report " + key + " locally failed", e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file in the pod's /tmp
                }
            }
        }
    }

    /** The job's tasks by name, listed once for both reports. */
    private Map<String, MigrationTask> tasksOf(MigrationJob job) {
        if (jobTasks != null) {
            return jobTasks;
        }
        Map<String, MigrationTask> tasks = new HashMap<>();
        for (MigrationTask task : client.resources(MigrationTask.class).inNamespace(job.getMetadata().getNamespace())
                .withLabel(Ferry.JOB_LABEL, job.getMetadata().getName()).list().getItems()) {
            tasks.put(task.getMetadata().getName(), task);
        }
        jobTasks = tasks;
        return tasks;
    }

    /** The failures {@code name} recorded (its status, or its failure log), each path not written yet. */
    private static void writeTaskFailures(BufferedWriter out, Set<String> written, String name, MigrationTask task,
                                          List<FileFailure> failures) throws IOException {
        for (FileFailure failure : failures) {
            if (written.add(failure.path)) {
                FailureReportLine line = of(failure);
                line.task = name;
                withTask(line, task);
                write(out, line);
            }
        }
    }

    /**
     * The logged lines a task's final count (its {@code failed}, or a plan's {@code skipped}) covers: a line beyond
     * it was stored by a holder that died before it counted it, and the next holder did the file again. A task
     * folded away has no status left: its log counts as it stands.
     */
    private static List<FileFailure> countedBy(MigrationTask task, List<FailureLog.Numbered> logged,
                                               ToLongFunction<MigrationTaskStatus.Progress> count) {
        MigrationTaskStatus status = task == null ? null : task.getStatus();
        long counted = status == null || status.progress == null ? Long.MAX_VALUE : count.applyAsLong(status.progress);
        return logged.stream().filter(f -> f.n() <= counted).map(FailureLog.Numbered::failure).toList();
    }

    private List<FailureReportLine> readLines(String key) throws IOException {
        return JsonLines.decode(s3.call(c -> c.getObject(b -> b.bucket(bucket).key(key),
                ResponseTransformer.toInputStream())), FailureReportLine.class);
    }

    private static void write(BufferedWriter out, FailureReportLine line) throws IOException {
        out.write(JsonLines.line(line));
        out.write('\n');
    }

    private static FailureReportLine of(FileFailure failure) {
        FailureReportLine line = new FailureReportLine();
        line.path = failure.path;
        line.code = failure.code;
        line.message = failure.message;
        return line;
    }

    /** The task's attempts and last holder, and the failure it recorded for the file, when it still exists. */
    private static void withTask(FailureReportLine line, MigrationTask task) {
        MigrationTaskStatus status = task == null ? null : task.getStatus();
        if (status == null) {
            return;
        }
        line.attempts = status.attemptsOrZero();
        if (line.holder == null && status.assignment != null) {
            line.holder = status.assignment.worker;
        }
        if (line.audit != null && status.failures != null) {
            status.failures.stream().filter(f -> line.path.equals(f.path)).findFirst().ifPresent(first ->
                    line.message = "the task recorded " + first.code + ": " + first.message + "; " + line.message);
        }
    }
}
