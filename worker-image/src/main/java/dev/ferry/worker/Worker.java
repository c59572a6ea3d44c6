package dev.ferry.worker;

import dev.ferry.api.Ferry;
import dev.ferry.api.KafkaSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.KafkaEventPublisher;
import dev.ferry.api.runtime.JobEventRecorder;
import dev.ferry.api.runtime.LoggingConfigMap;
import dev.ferry.worker.audit.AuditRunner;
import dev.ferry.worker.config.WorkerConfig;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.CopyRunner;
import dev.ferry.worker.events.KafkaClientProperties;
import dev.ferry.worker.lease.LeaseRenewer;
import dev.ferry.worker.metrics.FileMetrics;
import dev.ferry.api.runtime.KafkaMetrics;
import dev.ferry.worker.metrics.S3Metrics;
import dev.ferry.worker.parts.PartsRunner;
import dev.ferry.worker.plan.ActiveTasks;
import dev.ferry.worker.plan.PlanRunner;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.TaskDispatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * One worker process: an informer on its job's tasks, a few task threads, the copy engine of the
 * job (built on first use from the job's destination and credentials), and the renewal of its Lease
 * (the operator's proof that the process lives). {@link #close} drains: no new task or file is
 * started, files in flight get {@code drainGrace} to finish, held tasks are released with their
 * checkpoint; the Lease goes last. What it does is counted in the meters it is given ({@code /metrics}).
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    static final long RESYNC_MILLIS = 30_000;

    private final WorkerConfig config;
    private final KubernetesClient client;
    private final Clock clock;
    private final Duration drainGrace;
    private LoggingConfigMap logging;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ScheduledExecutorService ticker;
    private final TaskDispatcher dispatcher;
    private final LeaseRenewer lease;
    private final AwsCredentials credentials;
    private final FileMetrics fileMeters;
    private final S3Metrics s3Meters;
    private final KafkaMetrics kafkaMeters;
    private EndpointPool pool;
    private EndpointEvents endpointEvents;
    private CopyEngine engine;
    private EventPublisher publisher;
    private SharedIndexInformer<MigrationTask> informer;

    public Worker(WorkerConfig config, KubernetesClient client, Clock clock, Duration drainGrace) {
        this(config, client, clock, drainGrace, null);
    }

    /**
     * @param credentials the store's credentials as the Deployment passes them (env from the job's
     *     Secret); null: read the Secret through the API
     */
    public Worker(WorkerConfig config, KubernetesClient client, Clock clock, Duration drainGrace,
                  AwsCredentials credentials) {
        this(config, client, clock, drainGrace, credentials, new CompositeMeterRegistry());
    }

    /** As above, counting files, S3 calls and events in {@code meters}. */
    public Worker(WorkerConfig config, KubernetesClient client, Clock clock, Duration drainGrace,
                  AwsCredentials credentials, MeterRegistry meters) {
        this.config = config;
        this.fileMeters = new FileMetrics(meters, config.namespace() + "/" + config.jobName());
        this.s3Meters = new S3Metrics(meters);
        this.kafkaMeters = new KafkaMetrics(meters);
        this.credentials = credentials;
        this.client = client;
        this.clock = clock;
        this.drainGrace = drainGrace;
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                BasicThreadFactory.builder().namingPattern("ferry-progress").daemon(true).build());
        StopSignal stop = stopping::get;
        PlanRunner plans = new PlanRunner(client, config.sourceRoot(),
                ActiveTasks.of(this::unfinishedCopyTasks, this::succeededCopyTasks),
                this::poolFor, clock);
        CopyRunner copies = new CopyRunner(config.sourceRoot(), this::engineFor, this::publisherFor, ticker, clock,
                drainGrace);
        PartsRunner parts = new PartsRunner(client, config.sourceRoot(), this::engineFor, this::publisherFor, ticker,
                clock);
        AuditRunner audits = new AuditRunner(client, config.sourceRoot(), this::engineFor, clock, config.podName());
        TaskRunner runner = new TaskRunner(config, client, plans, copies, parts, audits, stop, clock);
        this.dispatcher = new TaskDispatcher(config.podUid(), config.taskSlots(), runner::run);
        this.lease = new LeaseRenewer(client, config, clock);
    }

    public void start() {
        lease.start();
        // log levels from the ferry-logging ConfigMap of the job's namespace, changed without a restart
        logging = LoggingConfigMap.watch(client, config.namespace(), System.getenv());
        informer = client.resources(MigrationTask.class).inNamespace(config.namespace())
                .withLabel(Ferry.JOB_LABEL, config.jobName())
                .inform(dispatcher, RESYNC_MILLIS);
        dispatcher.useStore(informer.getStore());
        LOG.info("worker {} (uid {}) serving job {} in {}, source at {}", config.podName(), config.podUid(),
                config.jobName(), config.namespace(), config.sourceRoot());
    }

    private int unfinishedCopyTasks() {
        return dispatcher.unfinishedCopyTasks();
    }

    private int succeededCopyTasks() {
        return dispatcher.succeededCopyTasks();
    }

    /** The job's gateways: one pool per job in this worker, shared by planning and copying. */
    private synchronized EndpointPool poolFor(MigrationJob job) {
        if (pool == null) {
            pool = S3ClientFactory.forJob(client, job, credentials, s3Meters);
            endpointEvents = new EndpointEvents(new JobEventRecorder(client, clock, Ferry.WORKER_COMPONENT_NAME,
                    config.podName()), job, "worker " + config.podName(), clock);
            pool.onTransitions(endpointEvents);
        }
        return pool;
    }

    /**
     * Where the job's events go: a Kafka producer when {@code spec.notifications.kafka} is set (TLS and
     * SASL settings from the Secret it names, passed as {@code FERRY_KAFKA_*} environment), else nowhere.
     */
    private synchronized EventPublisher publisherFor(MigrationJob job) {
        if (publisher == null) {
            KafkaSpec kafka = job.getSpec().notifications == null ? null : job.getSpec().notifications.kafka;
            publisher = kafka == null ? EventPublisher.NONE
                    : kafkaMeters.timed(KafkaEventPublisher.create(kafka.bootstrapServers, kafka.topic,
                            kafka.modeOrDefault(), KafkaClientProperties.fromEnvironment(System.getenv()),
                            "ferry-" + config.podName()));
        }
        return publisher;
    }

    private synchronized CopyEngine engineFor(MigrationJob job) {
        if (engine == null) {
            engine = CopyEngine.forJob(job, poolFor(job), fileMeters, lease);
        }
        return engine;
    }

    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        LOG.info("worker {} stopping: draining its tasks", config.podName());
        if (informer != null) {
            informer.stop();
        }
        if (logging != null) {
            logging.close();
        }
        // tasks release themselves within drainGrace; a little more for their last status write
        dispatcher.stop(drainGrace.plusSeconds(5));
        ticker.shutdownNow();
        synchronized (this) {
            if (publisher != null) {
                publisher.close(); // events not yet acknowledged are the next holder's to send
            }
            if (engine != null) {
                engine.close(); // closes the pool too
            } else if (pool != null) {
                pool.close();
            }
            if (endpointEvents != null) {
                endpointEvents.close();
            }
        }
        // Alive until its tasks are released: a missing Lease would make the operator take them early.
        lease.close();
        LOG.info("worker {} stopped", config.podName());
    }
}
