package dev.ferry.cli;

import dev.ferry.local.BucketPreparer;
import dev.ferry.local.LocalEnvironment;
import dev.ferry.local.LocalKafka;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Keeps a whole local Ferry installation up until Ctrl-C, with a kubeconfig for the real kubectl:
 * apply a MigrationJob, watch its tasks, kill a worker process, see it replaced.
 */
@Command(name = "dev-cluster", mixinStandardHelpOptions = true,
        description = "Run a local Kubernetes API, the operator, worker processes and an S3 (and with --kafka a "
                + "Kafka broker) until Ctrl-C.")
public final class DevClusterCommand implements Callable<Integer> {
    static final String SAMPLES_CLAIM = "samples";
    static final String SAMPLES_SECRET = "local-s3";

    @Option(names = "--workers", defaultValue = "2",
            description = "Worker pods per job when the job does not say (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--operators", defaultValue = "0", paramLabel = "N",
            description = "Run N operator processes with Lease leader election, as on a cluster "
                    + "(default 0: the operator runs inside this process).")
    int operators;

    @Option(names = "--api-port", defaultValue = "6443", description = "Port of the Kubernetes API (default ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--s3-port", defaultValue = "9500", description = "Port of the embedded S3 (default ${DEFAULT-VALUE}).")
    int s3Port;

    @Option(names = "--kubeconfig", description = "Where to write the kubeconfig (default: <work-dir>/kubeconfig).")
    Path kubeconfig;

    @Option(names = "--volume", paramLabel = "CLAIM=DIR",
            description = "Bind a PersistentVolumeClaim name to a directory (repeatable). samples=samples/data is bound when that directory exists.")
    List<String> volumes = List.of();

    @Option(names = "--bucket", paramLabel = "NAME", defaultValue = "demo",
            description = "Bucket to create in the embedded S3 (repeatable; default ${DEFAULT-VALUE}, the sample's).")
    List<String> buckets;

    @Option(names = "--work-dir", defaultValue = ".ferry", description = "State, embedded S3 data and logs (default ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--kafka", description = "Also run a Kafka broker (a KRaft process, data under <work-dir>/dev-cluster/kafka) "
            + "for the events of jobs whose spec.notifications.kafka names it.")
    boolean kafka;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Port of the Kafka broker (default ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Map<String, Path> claims = new LinkedHashMap<>();
        Path samples = Path.of("samples", "data");
        if (Files.isDirectory(samples)) {
            claims.put(SAMPLES_CLAIM, samples.toAbsolutePath().normalize());
        }
        try {
            claims.putAll(VolumeBindings.parse(volumes));
        } catch (IllegalArgumentException e) {
            System.err.println("ferry: " + e.getMessage());
            return 2;
        }
        S3Credentials credentials = new S3Credentials(LocalS3.DEFAULT_ACCESS_KEY, LocalS3.DEFAULT_SECRET_KEY);
        Path config = kubeconfig != null ? kubeconfig : workDir.resolve("kubeconfig");
        // The broker starts beside the rest: two JVMs warming up at once beat one after the other.
        CompletableFuture<LocalKafka> kafkaStart = kafka
                ? LocalKafka.startAsync(workDir.resolve("dev-cluster").resolve("kafka"), kafkaPort) : null;
        LocalEnvironment env;
        try {
            env = LocalEnvironment.start(new LocalEnvironment.Options(workDir.resolve("dev-cluster"), apiPort, s3Port,
                    credentials, claims, config, workers, operators));
        } catch (Exception e) {
            System.err.println("ferry: cannot start the dev cluster (are ports " + apiPort + " and " + s3Port
                    + " free? change them with --api-port/--s3-port): " + e);
            if (kafkaStart != null) {
                kafkaStart.thenAccept(LocalKafka::close);
            }
            return 3;
        }
        LocalKafka localKafka;
        try {
            localKafka = kafkaStart == null ? null : kafkaStart.join();
        } catch (CompletionException e) {
            env.close();
            System.err.println("ferry: cannot start the Kafka broker (is port " + kafkaPort
                    + " free? change it with --kafka-port): " + e.getCause().getMessage());
            return 3;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            env.close();
            if (localKafka != null) {
                localKafka.close();
            }
            stopped.countDown();
        }, "ferry-shutdown"));
        env.putCredentialsSecret(SAMPLES_SECRET, credentials);
        for (String bucket : buckets) {
            BucketPreparer.ensureBucket(env.s3().endpoint(), credentials, "us-east-1", true, bucket);
        }
        out.println("Ferry dev cluster is up.");
        out.println("  Kubernetes API: " + env.apiUrl());
        out.println("  S3:             " + env.s3().endpoint() + "  (access key " + credentials.accessKey()
                + ", secret key " + credentials.secretKey() + "; Secret '" + SAMPLES_SECRET + "' holds them)");
        out.println("  S3 data:        " + env.s3().dataDir().toAbsolutePath() + "  (buckets: " + String.join(", ", buckets) + ")");
        claims.forEach((claim, dir) -> out.println("  claim " + claim + " -> " + dir));
        out.println("  worker logs:    " + env.kubelet().logDir().toAbsolutePath());
        if (localKafka != null) {
            localKafka.createTopic(MigrateCommand.DEFAULT_TOPIC);
            out.println("  kafka: " + localKafka.bootstrapServers() + "  (topics created on first use; broker log "
                    + localKafka.logFile() + ")");
            out.println("  watch a topic:  " + localKafka.consoleConsumerCommand(MigrateCommand.DEFAULT_TOPIC));
        }
        out.println();
        out.println("export KUBECONFIG=" + env.kubeconfig().toAbsolutePath());
        out.println();
        out.println("Then: kubectl apply -f samples/migrationjob-local.yaml && kubectl get mt -w");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }
}
