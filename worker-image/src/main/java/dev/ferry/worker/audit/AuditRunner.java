package dev.ferry.worker.audit;

import dev.ferry.api.AuditMode;
import dev.ferry.api.AuditResult;
import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.ManifestRef;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.Plurals;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.VerifyMode;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.FileCopier;
import dev.ferry.worker.manifest.JsonLines;
import dev.ferry.worker.manifest.Manifests;
import dev.ferry.worker.manifest.StateObjects;
import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.plan.PlanRunner;
import dev.ferry.worker.plan.SourceWalker;
import dev.ferry.worker.source.SourceErrors;
import dev.ferry.worker.source.SourcePaths;
import dev.ferry.worker.source.SourceStat;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.RetryableTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.TaskFence;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
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
 *   <li>The comparison, in batches audited {@link #BATCHES_IN_FLIGHT} at a time ({@link BatchAudit}) and
 *       collected in order: with {@code spec.audit: Plan} every manifest under the state prefix — the
 *       plan's record of each task, written before the task — in key order; with {@code Source} the source
 *       walked again with the planner's walker and filters, {@value #WALK_BATCH} entries at a time. What a
 *       batch's audit finds is stored under {@code audit/} before the checkpoint ({@code progress.checkpoint}:
 *       the last manifest, or the last path, done) passes it, with the counters in {@code status.audit}.
 *       Never through a task's status: the point is to catch bookkeeping that lies.</li>
 *   <li>The failure report ({@link FailureReport}), and the left-out report of the entries planning left out by
 *       policy; once written, {@code status.audit.reportLines} says so.</li>
 *   <li>The manifests, findings and logs are removed: the state prefix keeps only the reports.</li>
 * </ol>
 * A holder asked to stop releases the task at its checkpoint; a store failure propagates, as in any task.
 */
public final class AuditRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AuditRunner.class);
    /** Status writes while auditing: at most this often, so a long audit shows progress without a write per batch. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    /**
     * Batches audited at once. Few, each with its HEADs spread over the engine's {@code concurrency} file
     * threads: batches finish one after the other and the checkpoint moves every few hundred files. (With
     * {@code concurrency} batches side by side, all finished together, and a holder killed every 10 s —
     * the chaos suite — moved the checkpoint by one manifest per life.)
     */
    static final int BATCHES_IN_FLIGHT = 2;
    /**
     * Folders listed at once, for all the batches in flight. A manifest's files lie in tens or hundreds of folders,
     * one listing each; listed one after the other, the audit of 50,000 small files waited for about 1,100 round
     * trips in two rows, and the store (S3Proxy on two cores) sat half idle.
     */
    static final int FOLDERS_IN_FLIGHT = 8;
    /** Entries of the source's walk audited together: one folder listing for a folder's run of files. */
    static final int WALK_BATCH = 500;

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
            if (result.mode != AuditMode.None) {
                LOG.info("auditing job {} against its {}{}", job.getMetadata().getName(),
                        result.mode == AuditMode.Plan ? "plan" : "source", checkpoint == null ? "" : " after " + checkpoint);
                Batches batches = new Batches(job, engine, fence, stop, result, checkpoint, resumed);
                try {
                    if (result.mode == AuditMode.Plan) {
                        batches.ofManifests();
                    } else {
                        batches.ofTheSource();
                    }
                } finally {
                    batches.close();
                }
                if (batches.released) {
                    return;
                }
                checkpoint = batches.done;
            }
            FailureReport reports = new FailureReport(client, engine.s3, engine.bucket);
            FailureReport.Written leftOut = reports.leftOut(job);
            result.leftOutLines = leftOut.lines() == 0 ? null : leftOut.lines();
            result.leftOutReport = leftOut.key().orElse(null);
            FailureReport.Written report = reports.write(job);
            result.reportLines = report.lines();
            result.failureReport = report.key().orElse(null);
            String done = checkpoint;
            fence.updateMoved(s -> record(s, result, done));
        }
        StateObjects.removeAll(engine.s3, engine.bucket, StatePrefix.manifests(job));
        StateObjects.removeAll(engine.s3, engine.bucket, StatePrefix.auditFindings(job));
        StateObjects.removeAll(engine.s3, engine.bucket, StatePrefix.failures(job));
        StateObjects.removeAll(engine.s3, engine.bucket, StatePrefix.leftOut(job));
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
     * The comparison as a stream of batches: each audited on the audit's threads, collected in the order
     * given, its findings stored and the checkpoint moved past it; the status is written about once a
     * second. Bounded: at most {@link #BATCHES_IN_FLIGHT} batches are in flight.
     */
    private final class Batches implements AutoCloseable {
        private final MigrationJob job;
        private final CopyEngine engine;
        private final TaskFence fence;
        private final StopSignal stop;
        private final AuditResult result;
        private final boolean resumed;
        private final BatchAudit audit;
        private final ExecutorService threads;
        private final ExecutorService folderThreads;
        private final Deque<Pending> inFlight = new ArrayDeque<>();
        private Instant lastWrite = clock.instant();
        private String done;
        private boolean released;

        Batches(MigrationJob job, CopyEngine engine, TaskFence fence, StopSignal stop, AuditResult result,
                String checkpoint, boolean resumed) {
            this.job = job;
            this.engine = engine;
            this.fence = fence;
            this.stop = stop;
            this.result = result;
            this.resumed = resumed;
            this.done = checkpoint;
            Path base = SourcePaths.base(sourceRoot, job);
            boolean presenceOnly = engine.overwrite == OverwritePolicy.Never;
            DestinationCheck.SourceDigests digests = result.mode == AuditMode.Source && engine.verify == VerifyMode.Checksum
                    ? entry -> md5Now(base, entry) : null;
            DestinationCheck.SourceStats laterVersions = result.mode == AuditMode.Plan ? entry -> statNow(base, entry) : null;
            this.threads = daemons(BATCHES_IN_FLIGHT, "ferry-audit");
            this.folderThreads = daemons(FOLDERS_IN_FLIGHT, "ferry-audit-folders");
            DestinationCheck destination = new DestinationCheck(engine.s3, engine.bucket, engine.prefix, engine.verify,
                    presenceOnly, digests, engine.fileThreads, folderThreads, laterVersions);
            this.audit = new BatchAudit(destination, new FileCopier(engine), base, podName);
        }

        /** Every manifest after the checkpoint, in key order, a page (1,000) at a time. */
        void ofManifests() throws LostTaskException, InterruptedException {
            String prefix = StatePrefix.manifests(job);
            String token = null;
            do {
                ListObjectsV2Response page = StateObjects.page(engine.s3, engine.bucket, prefix, done, token);
                for (S3Object manifest : page.contents()) {
                    String key = manifest.key();
                    String name = key.substring(key.lastIndexOf('/') + 1);
                    ManifestRef ref = new ManifestRef();
                    ref.key = key;
                    if (!offer(key, name, () -> audit.audit(Manifests.read(engine.s3, engine.bucket, ref),
                            BatchAudit.taskOf(key)))) {
                        return;
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            finish();
        }

        /** The source walked again after the checkpoint (a path), as planning walks it. */
        void ofTheSource() throws LostTaskException, InterruptedException {
            Path base = SourcePaths.base(sourceRoot, job);
            String floor = done;
            List<FileEntry> batch = new ArrayList<>();
            try {
                new SourceWalker(base, PlanRunner.policy(job, clock)).walk("", () -> floor, new SourceWalker.Visitor() {
                    @Override
                    public void file(FileEntry entry) throws Exception {
                        batch.add(entry);
                        if (batch.size() >= WALK_BATCH) {
                            offerWalked(batch);
                        }
                    }

                    @Override
                    public boolean enter(String relativePath, int entries) {
                        return true;
                    }

                    @Override
                    public void skipped(String relativePath, FailureCode code, String detail) {
                        // left out by policy, as planning leaves it out: not the destination's to hold
                    }

                    @Override
                    public void unreadableDirectory(String relativePath, IOException cause) throws Exception {
                        SourceErrors.SourceFailure failure = SourceErrors.classify(cause);
                        BatchAudit.Findings unreadable = BatchAudit.Findings.unreadable(relativePath, failure.code(),
                                failure.message(), podName);
                        if (!offer(null, "walk-" + hash(relativePath + "/") + ".jsonl", () -> unreadable)) {
                            throw new Released();
                        }
                    }
                });
                if (!batch.isEmpty()) {
                    offerWalked(batch);
                }
            } catch (Released e) {
                return;
            } catch (LostTaskException | InterruptedException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new RetryableTaskException("walking the source for the audit failed: " + e, e);
            }
            finish();
        }

        private void offerWalked(List<FileEntry> batch) throws LostTaskException, InterruptedException, Released {
            List<FileEntry> entries = List.copyOf(batch);
            batch.clear();
            String last = entries.get(entries.size() - 1).path;
            if (!offer(last, "walk-" + hash(entries.get(0).path) + ".jsonl", () -> audit.audit(entries, null))) {
                throw new Released();
            }
        }

        /**
         * Queues one batch; false when the holder was asked to stop (everything queued is collected and
         * the task released at the checkpoint).
         *
         * @param checkpoint where the checkpoint is once this batch is done (null: where it was)
         */
        boolean offer(String checkpoint, String findingsName, Callable<BatchAudit.Findings> work)
                throws LostTaskException, InterruptedException {
            if (stop.stopRequested()) {
                release();
                return false;
            }
            String findingsKey = StatePrefix.auditFindings(job) + findingsName;
            inFlight.add(new Pending(checkpoint, CompletableFuture.supplyAsync(() -> stored(work, findingsKey), threads)));
            // Collected as soon as they are done, in order, and written down about once a second: a holder
            // that dies loses at most the batches in flight (the chaos suite kills one every few seconds).
            while (!inFlight.isEmpty() && (inFlight.peek().findings().isDone() || inFlight.size() >= BATCHES_IN_FLIGHT)) {
                collect(inFlight.poll());
                writeIfDue();
            }
            return true;
        }

        private void finish() throws LostTaskException, InterruptedException {
            while (!inFlight.isEmpty()) {
                collect(inFlight.poll());
                writeIfDue();
            }
            write();
        }

        private void writeIfDue() throws LostTaskException {
            if (Duration.between(lastWrite, clock.instant()).compareTo(CHECKPOINT_INTERVAL) >= 0) {
                write();
            }
        }

        private void release() throws LostTaskException, InterruptedException {
            finish();
            String at = done;
            fence.update(s -> {
                record(s, result, at);
                s.phase = TaskPhase.Pending;
                s.message = "released on worker shutdown after " + at;
            });
            released = true;
            LOG.info("audit {} released after {}", fence.taskName(), at);
        }

        private void write() throws LostTaskException {
            String at = done;
            fence.updateMoved(s -> record(s, result, at));
            lastWrite = clock.instant();
        }

        /** Waits for one batch, in order, and adds it to the result: the checkpoint may pass it. */
        private void collect(Pending pending) throws InterruptedException {
            BatchAudit.Findings findings;
            try {
                findings = pending.findings().get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new RetryableTaskException("the audit failed after " + done + ": " + cause, cause);
            }
            if (result.mode == AuditMode.Plan) {
                result.manifests = (result.manifests == null ? 0 : result.manifests) + 1;
            }
            result.checked += findings.checked();
            result.missing += findings.missing();
            result.different += findings.different();
            result.recopied += findings.recopied();
            result.reported += findings.reported();
            if (findings.laterVersions() > 0) {
                result.laterVersions = (result.laterVersions == null ? 0 : result.laterVersions) + findings.laterVersions();
            }
            if (pending.checkpoint() != null) {
                done = pending.checkpoint();
            }
        }

        /**
         * One batch audited, and its findings stored before the checkpoint can pass it. A holder that
         * resumes may meet a batch an earlier holder audited and put right; its stale findings go.
         */
        private BatchAudit.Findings stored(Callable<BatchAudit.Findings> work, String findingsKey) {
            BatchAudit.Findings findings;
            try {
                findings = work.call();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetryableTaskException("the audit was interrupted", e);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new RetryableTaskException("the audit of a batch failed: " + e, e);
            }
            if (!findings.lines().isEmpty()) {
                byte[] body = JsonLines.encode(findings.lines());
                engine.s3.call(c -> c.putObject(b -> b.bucket(engine.bucket).key(findingsKey)
                        .contentType(JsonLines.CONTENT_TYPE), RequestBody.fromBytes(body)));
            } else if (resumed) {
                engine.s3.call(c -> c.deleteObject(b -> b.bucket(engine.bucket).key(findingsKey)));
            }
            return findings;
        }

        @Override
        public void close() {
            threads.shutdownNow();
            folderThreads.shutdownNow();
        }
    }

    private static ExecutorService daemons(int count, String name) {
        return Executors.newFixedThreadPool(count, r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    private record Pending(String checkpoint, CompletableFuture<BatchAudit.Findings> findings) {
    }

    /** Ends the walk when the holder stops: it was released at its checkpoint. */
    private static final class Released extends Exception {
        Released() {
            super(null, null, false, false);
        }
    }

    /** A planned file as it is now; null when it is gone or cannot be read. */
    private static SourceStat statNow(Path base, FileEntry entry) {
        try {
            return SourceStat.of(SourcePaths.within(base, entry.readPath()));
        } catch (IOException | SourcePaths.OutsideSourceException e) {
            return null; // copying it again will say what is wrong with it
        }
    }

    /** The MD5 of a file as it is now, base64 like {@code md5chksum}; null when it cannot be read whole. */
    private static String md5Now(Path base, FileEntry entry) {
        try {
            Path file = SourcePaths.within(base, entry.readPath());
            SourceStat before = SourceStat.of(file);
            MessageDigest digest = MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[256 << 10];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return SourceStat.of(file).sameVersionAs(before) ? Base64.getEncoder().encodeToString(digest.digest()) : null;
        } catch (IOException | SourcePaths.OutsideSourceException e) {
            return null; // copying it again will say what is wrong with it
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no MD5", e);
        }
    }

    /** 16 hex digits of a path's SHA-256: a findings object's name for a stretch of the walk. */
    private static String hash(String path) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(path.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
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
        String what = result.mode == AuditMode.Plan
                ? Plurals.plannedFiles(result.checked) + " in "
                        + Plurals.of(result.manifests == null ? 0 : result.manifests, "manifest", "manifests")
                : Plurals.of(result.checked, "file", "files") + " of the source walked again";
        return "checked " + what + ": " + result.missing + " missing, " + result.different
                + " different, " + result.recopied + " copied again, " + result.reported + " still wrong"
                + result.laterVersionsNote() + "; " + reportSummary(result);
    }

    private static String reportSummary(AuditResult result) {
        return (result.failureReport == null ? "nothing to report"
                : result.reportLines + " line(s) in the failure report " + result.failureReport)
                + (result.leftOutReport == null ? ""
                : "; " + result.leftOutLines + " entries left out by policy, listed in " + result.leftOutReport);
    }
}
