package dev.ferry.worker.audit;

import dev.ferry.api.AuditMode;
import dev.ferry.api.AuditResult;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.TaskPhase;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.FileCopier;
import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.source.SourcePaths;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.RetryableTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.TaskFence;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Runs a job's Audit task, the last before it ends (the operator creates it once every other task has
 * finished). Three steps, each resumable by the next holder:
 * <ol>
 *   <li>With {@code spec.audit: Plan}, every manifest under the state prefix — the plan's record of each
 *       task, written before the task — is audited in key order, {@code concurrency} at a time
 *       ({@link ManifestAudit}); what a manifest's audit finds is stored under {@code audit/} before the
 *       checkpoint (the last manifest done, {@code progress.checkpoint}) passes it, with the counters in
 *       {@code status.audit}. Never through a task's status: the point is to catch bookkeeping that lies.</li>
 *   <li>The failure report ({@link FailureReport}); once written, {@code status.audit.reportLines} says so.</li>
 *   <li>The manifests and findings are removed: the state prefix keeps only the report.</li>
 * </ol>
 * A holder asked to stop releases the task at its checkpoint; a store failure propagates, as in any task.
 */
public final class AuditRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AuditRunner.class);
    /** Status writes while auditing: at most this often, so a long audit shows progress without a write per manifest. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final Path sourceRoot;
    private final Function<MigrationJob, CopyEngine> engines;
    private final Clock clock;
    private final String podName;

    public AuditRunner(KubernetesClient client, Path sourceRoot, Function<MigrationJob, CopyEngine> engines, Clock clock,
            String podName) {
        this.client = client;
        this.sourceRoot = sourceRoot;
        this.engines = engines;
        this.clock = clock;
        this.podName = podName;
    }

    public void run(MigrationJob job, MigrationTask task, TaskFence fence, StopSignal stop)
            throws LostTaskException, InterruptedException {
        CopyEngine engine = engines.apply(job);
        MigrationTaskStatus status = task.getStatus();
        boolean resumed = status != null && status.audit != null;
        AuditResult result = resumed ? Serialization.clone(status.audit) : new AuditResult();
        if (!resumed) {
            result.mode = job.getSpec().auditOrDefault();
            result.startTime = clock.instant().toString();
        }
        String checkpoint = status == null || status.progress == null ? null : status.progress.checkpoint;
        if (result.reportLines == null) {
            if (result.mode == AuditMode.Plan) {
                LOG.info("auditing job {} against its plan{}", job.getMetadata().getName(),
                        checkpoint == null ? "" : " after " + checkpoint);
                checkpoint = auditManifests(job, engine, fence, stop, result, checkpoint, resumed);
                if (checkpoint == null) {
                    return; // released
                }
            }
            FailureReport.Written report = new FailureReport(client, engine.s3, engine.bucket).write(job);
            result.reportLines = report.lines();
            result.failureReport = report.key().orElse(null);
            String done = checkpoint;
            fence.updateMoved(s -> record(s, result, done));
        }
        StateObjects.removeAll(engine.s3, engine.bucket, StatePrefix.manifests(job));
        StateObjects.removeAll(engine.s3, engine.bucket, StatePrefix.auditFindings(job));
        result.completionTime = clock.instant().toString();
        String summary = summary(result);
        String done = checkpoint;
        fence.update(s -> {
            record(s, result, done);
            s.phase = TaskPhase.Succeeded;
            s.message = summary;
        });
        LOG.info("audit of job {} Succeeded: {}", job.getMetadata().getName(), summary);
    }

    /**
     * Audits the manifests after {@code checkpoint}; returns the last one audited, or null when the holder
     * stopped and released the task.
     */
    private String auditManifests(MigrationJob job, CopyEngine engine, TaskFence fence, StopSignal stop,
            AuditResult result, String checkpoint, boolean resumed) throws LostTaskException, InterruptedException {
        Path base = SourcePaths.base(sourceRoot, job);
        boolean presenceOnly = engine.overwrite == OverwritePolicy.Never;
        DestinationCheck destination = new DestinationCheck(engine.s3, engine.bucket, engine.prefix, engine.verify,
                presenceOnly);
        ManifestAudit audit = new ManifestAudit(engine.s3, engine.bucket, destination, new FileCopier(engine), base,
                podName);
        String findings = StatePrefix.auditFindings(job);
        ExecutorService threads = Executors.newFixedThreadPool(engine.concurrency(), r -> {
            Thread thread = new Thread(r, "ferry-audit");
            thread.setDaemon(true);
            return thread;
        });
        Instant lastWrite = clock.instant();
        String done = checkpoint;
        try {
            String token = null;
            do {
                ListObjectsV2Response page = StateObjects.page(engine.s3, engine.bucket, StatePrefix.manifests(job),
                        checkpoint, token);
                Deque<Pending> inFlight = new ArrayDeque<>();
                for (S3Object manifest : page.contents()) {
                    if (stop.stopRequested()) {
                        break;
                    }
                    String key = manifest.key();
                    String findingsKey = findings + key.substring(key.lastIndexOf('/') + 1);
                    inFlight.add(new Pending(key, CompletableFuture.supplyAsync(
                            () -> auditOne(audit, engine, key, findingsKey, resumed), threads)));
                    while (inFlight.size() >= engine.concurrency() * 2) {
                        done = collect(inFlight.poll(), result);
                        if (Duration.between(lastWrite, clock.instant()).compareTo(CHECKPOINT_INTERVAL) >= 0) {
                            String at = done;
                            fence.updateMoved(s -> record(s, result, at));
                            lastWrite = clock.instant();
                        }
                    }
                }
                while (!inFlight.isEmpty()) {
                    done = collect(inFlight.poll(), result);
                }
                String at = done;
                fence.updateMoved(s -> record(s, result, at));
                lastWrite = clock.instant();
                if (stop.stopRequested()) {
                    fence.update(s -> {
                        record(s, result, at);
                        s.phase = TaskPhase.Pending;
                        s.message = "released on worker shutdown after manifest " + at;
                    });
                    LOG.info("audit {} released after {}", fence.taskName(), at);
                    return null;
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            return done == null ? "" : done;
        } finally {
            threads.shutdownNow();
        }
    }

    private record Pending(String key, CompletableFuture<ManifestAudit.Findings> findings) {
    }

    /** Waits for one manifest's audit, in key order, and adds it to the result: the checkpoint may pass it. */
    private static String collect(Pending pending, AuditResult result) throws InterruptedException {
        ManifestAudit.Findings findings;
        try {
            findings = pending.findings().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new RetryableTaskException("auditing " + pending.key() + " failed: " + cause, cause);
        }
        result.manifests = (result.manifests == null ? 0 : result.manifests) + 1;
        result.checked += findings.checked();
        result.missing += findings.missing();
        result.different += findings.different();
        result.recopied += findings.recopied();
        result.reported += findings.reported();
        return pending.key();
    }

    /**
     * One manifest: audited, and its findings stored before the checkpoint can pass it. A holder that
     * resumes may meet a manifest an earlier holder audited and put right; its stale findings go.
     */
    private static ManifestAudit.Findings auditOne(ManifestAudit audit, CopyEngine engine, String key,
            String findingsKey, boolean resumed) {
        ManifestAudit.Findings findings;
        try {
            findings = audit.audit(key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableTaskException("the audit of " + key + " was interrupted", e);
        }
        if (!findings.lines().isEmpty()) {
            byte[] body = FailureReport.encode(findings.lines());
            engine.s3.call(c -> c.putObject(b -> b.bucket(engine.bucket).key(findingsKey)
                    .contentType(FailureReport.CONTENT_TYPE), RequestBody.fromBytes(body)));
        } else if (resumed) {
            engine.s3.call(c -> c.deleteObject(b -> b.bucket(engine.bucket).key(findingsKey)));
        }
        return findings;
    }

    private static void record(MigrationTaskStatus s, AuditResult result, String checkpoint) {
        s.audit = Serialization.clone(result);
        if (s.progress == null) {
            s.progress = new MigrationTaskStatus.Progress();
        }
        s.progress.checkpoint = checkpoint == null || checkpoint.isEmpty() ? null : checkpoint;
        s.progress.total = result.checked;
    }

    static String summary(AuditResult result) {
        if (result.mode == AuditMode.None) {
            return "no audit (spec.audit: None); " + reportSummary(result);
        }
        return "checked " + result.checked + " planned files in " + (result.manifests == null ? 0 : result.manifests)
                + " manifests: " + result.missing + " missing, " + result.different + " different, " + result.recopied
                + " copied again, " + result.reported + " still wrong; " + reportSummary(result);
    }

    private static String reportSummary(AuditResult result) {
        return result.failureReport == null ? "nothing to report"
                : result.reportLines + " line(s) in the failure report " + result.failureReport;
    }
}
