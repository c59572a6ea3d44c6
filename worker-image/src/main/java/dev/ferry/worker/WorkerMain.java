package dev.ferry.worker;

import dev.ferry.api.runtime.FerryKinds;
import dev.ferry.api.runtime.HttpClientSelectors;
import dev.ferry.api.runtime.JvmDefaults;
import dev.ferry.worker.config.WorkerConfig;
import dev.ferry.worker.jit.OptimisingCompilerScope;
import dev.ferry.api.runtime.MetricsEndpoint;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.source.FileNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of a worker pod (and of a local-mode worker process). Configuration comes from the
 * environment, the Kubernetes client from Fabric8's defaults (in-cluster, or KUBECONFIG). SIGTERM
 * runs the shutdown hook: stop taking tasks, let files in flight finish briefly, release, exit.
 * {@code GET /metrics} is served on {@code FERRY_METRICS_PORT} ({@link WorkerConfig}, docs/metrics.md).
 */
public final class WorkerMain {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);
    /** Inside Kubernetes' default 30 s termination grace period, with room for the release writes. */
    static final Duration DRAIN_GRACE = Duration.ofSeconds(15);
    private static final Duration SELECTOR_STOP = Duration.ofSeconds(1);

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        JvmDefaults.apply();
        WorkerConfig config;
        try {
            FileNames.requireUtf8(System.getProperty(FileNames.CHARSET_PROPERTY));
            OptimisingCompilerScope.apply(OptimisingCompilerScope.scope(System.getenv()));
            config = WorkerConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            LOG.error("cannot start the worker: {}", e.getMessage());
            System.exit(2);
            return;
        }
        OptionalInt metricsPort;
        try {
            metricsPort = MetricsEndpoint.port(System.getenv(WorkerConfig.FERRY_METRICS_PORT));
        } catch (IllegalArgumentException e) {
            LOG.error("cannot start the worker: {}", e.getMessage());
            System.exit(2);
            return;
        }
        MetricsEndpoint metrics = MetricsEndpoint.startOrRunWithout(metricsPort);
        KubernetesClient client = FerryKinds.registeredWith(new KubernetesClientBuilder().build());
        Worker worker = new Worker(config, client, Clock.systemUTC(), DRAIN_GRACE,
                S3ClientFactory.fromEnvironment(System.getenv()),
                metrics == null ? new CompositeMeterRegistry() : metrics.registry());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            client.close();
            if (metrics != null) {
                metrics.close(); // last: a scrape during the drain still sees the final counts
            }
            HttpClientSelectors.stopAll(SELECTOR_STOP); // else the JVM's exit waits 0.3 s for them
            stopped.countDown();
        }, "ferry-shutdown"));
        worker.start();
        stopped.await();
    }

}
