package dev.ferry.worker.testing;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.events.EventPublisher;
import dev.ferry.worker.TaskRunner;
import dev.ferry.worker.config.WorkerConfig;
import dev.ferry.worker.audit.AuditRunner;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.CopyRunner;
import dev.ferry.worker.parts.PartsRunner;
import dev.ferry.worker.metrics.FileMetrics;
import dev.ferry.worker.plan.ActiveTasks;
import dev.ferry.worker.plan.PlanRunner;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.WorkerStanding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/** The task-running half of a worker, without the informer: a test calls {@link #run} itself. */
public final class LocalWorker implements AutoCloseable {
    private final KubernetesClient client;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final TaskRunner runner;
    private final Function<MigrationJob, EndpointPool> pools;
    private final Consumer<CopyEngine> tuning;
    private volatile WorkerStanding standing = WorkerStanding.ALWAYS_GOOD;
    /** One engine per job, as each worker process serves one job: the engine knows its job (its UID). */
    private final Map<String, CopyEngine> engines = new LinkedHashMap<>();

    public LocalWorker(KubernetesClient client, Path sourceRoot, String podUid) {
        this(client, sourceRoot, podUid, job -> S3ClientFactory.forJob(client, job));
    }

    /** A worker whose S3 gateways come from {@code pools} (a test that watches or tunes them). */
    public LocalWorker(KubernetesClient client, Path sourceRoot, String podUid,
                       Function<MigrationJob, EndpointPool> pools) {
        this(client, sourceRoot, podUid, pools, engine -> { });
    }

    /** A worker whose copy engine is handed to {@code tuning} once built (a test that sets its seams). */
    public LocalWorker(KubernetesClient client, Path sourceRoot, String podUid,
                       Function<MigrationJob, EndpointPool> pools, Consumer<CopyEngine> tuning) {
        this(client, sourceRoot, podUid, pools, tuning, job -> EventPublisher.NONE);
    }

    /** A worker that publishes its events through {@code publisher} (a test that holds or drops acknowledgements). */
    public LocalWorker(KubernetesClient client, Path sourceRoot, String podUid, EventPublisher publisher) {
        this(client, sourceRoot, podUid, job -> S3ClientFactory.forJob(client, job), engine -> { }, job -> publisher);
    }

    private LocalWorker(KubernetesClient client, Path sourceRoot, String podUid,
                        Function<MigrationJob, EndpointPool> pools, Consumer<CopyEngine> tuning,
                        Function<MigrationJob, EventPublisher> publishers) {
        this.client = client;
        this.pools = pools;
        this.tuning = tuning;
        WorkerConfig config = new WorkerConfig(TestResources.POD_NAME, TestResources.NAMESPACE, podUid, "unused",
                sourceRoot, 1);
        PlanRunner plans = new PlanRunner(client, sourceRoot, ActiveTasks.NONE, job -> engineFor(job).s3(),
                Clock.systemUTC());
        CopyRunner copies = new CopyRunner(sourceRoot, this::engineFor, publishers, ticker, Clock.systemUTC(),
                Duration.ofSeconds(5));
        PartsRunner parts = new PartsRunner(client, sourceRoot, this::engineFor, publishers, ticker,
                Clock.systemUTC());
        AuditRunner audits = new AuditRunner(client, sourceRoot, this::engineFor, Clock.systemUTC(), TestResources.POD_NAME);
        this.runner = new TaskRunner(config, client, plans, copies, parts, audits, StopSignal.NEVER, Clock.systemUTC());
    }

    public void run(String taskName) {
        runner.run(taskName);
    }

    /** Starts new files and parts only while {@code standing} is good (a test that plays a lapsing Lease). */
    public LocalWorker withStanding(WorkerStanding standing) {
        this.standing = standing;
        return this;
    }

    private synchronized CopyEngine engineFor(MigrationJob job) {
        String uid = String.valueOf(job.getMetadata().getUid());
        CopyEngine engine = engines.get(uid);
        if (engine == null) {
            engine = CopyEngine.forJob(job, pools.apply(job), FileMetrics.NONE, standing);
            tuning.accept(engine);
            engines.put(uid, engine);
        }
        return engine;
    }

    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        engines.values().forEach(CopyEngine::close);
    }
}
