package dev.ferry.worker;

import dev.ferry.api.runtime.JvmDefaults;
import dev.ferry.worker.config.WorkerConfig;
import dev.ferry.worker.s3.S3ClientFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of a worker pod (and of a local-mode worker process). Configuration comes from the
 * environment, the Kubernetes client from Fabric8's defaults (in-cluster, or KUBECONFIG). SIGTERM
 * runs the shutdown hook: stop taking tasks, let files in flight finish briefly, release, exit.
 */
public final class WorkerMain {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);
    /** Inside Kubernetes' default 30 s termination grace period, with room for the release writes. */
    static final Duration DRAIN_GRACE = Duration.ofSeconds(15);

    private WorkerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        JvmDefaults.apply();
        WorkerConfig config;
        try {
            config = WorkerConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            LOG.error("cannot start the worker: {}", e.getMessage());
            System.exit(2);
            return;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        Worker worker = new Worker(config, client, Clock.systemUTC(), DRAIN_GRACE,
                S3ClientFactory.fromEnvironment(System.getenv()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            client.close();
            stopped.countDown();
        }, "ferry-shutdown"));
        worker.start();
        stopped.await();
    }
}
