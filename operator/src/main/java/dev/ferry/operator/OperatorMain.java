package dev.ferry.operator;

import dev.ferry.api.Ferry;
import dev.ferry.api.runtime.FerryKinds;
import dev.ferry.api.runtime.HttpClientSelectors;
import dev.ferry.api.runtime.JvmDefaults;
import dev.ferry.api.runtime.LoggingConfigMap;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.config.WorkerPodDefaults;
import dev.ferry.api.runtime.MetricsEndpoint;
import dev.ferry.operator.notifications.PublisherFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator as its own process. Settings come from the environment (as the Helm chart sets
 * them) and may be overridden by {@code --name=value} arguments of the same names in lower case
 * without the prefix, e.g. {@code --watch-namespaces=a,b}:
 * <ul>
 *   <li>{@code FERRY_WATCH_NAMESPACES}: comma-separated; empty watches all namespaces</li>
 *   <li>{@code FERRY_WORKER_IMAGE}: image of the worker Deployments</li>
 *   <li>{@code FERRY_WORKER_SERVICE_ACCOUNT}: ServiceAccount of the worker pods (in each job's namespace)</li>
 *   <li>{@code FERRY_LEADER_ELECTION}: {@code true} takes the {@code ferry-operator} Lease first</li>
 *   <li>{@code FERRY_LEASE_NAMESPACE}: namespace of the Lease (default {@code POD_NAMESPACE}, else the client's)</li>
 *   <li>{@code FERRY_DEFAULT_WORKER_REPLICAS}: workers of a job whose spec does not say</li>
 *   <li>{@code FERRY_PREFETCH_PER_WORKER}, {@code FERRY_NOT_READY_GRACE_SECONDS}, {@code FERRY_LEASE_STARTUP_GRACE_SECONDS},
 *       {@code FERRY_RECHECK_SECONDS}</li>
 *   <li>{@code FERRY_DISRUPTION_GRACE_SECONDS}, {@code FERRY_DESTINATION_PROBE_SECONDS},
 *       {@code FERRY_STRAGGLER_WAIT_SECONDS}, {@code FERRY_HUNG_WORKER_GRACE_SECONDS}: see {@link OperatorSettings}</li>
 *   <li>{@code FERRY_WORKER_POD_DEFAULTS}: a YAML file of what every worker pod gets unless its job says
 *       otherwise (imagePullSecrets, resources, nodeSelector, tolerations, affinity: the chart's workers.* values)</li>
 *   <li>{@code FERRY_LOG_FORMAT}: {@code json} for one JSON object per log line (default text);
 *       {@code FERRY_LOGGING_CONFIGMAP}: the ConfigMap of log levels watched at run time (default
 *       {@code ferry-logging} in {@code POD_NAMESPACE}; {@code off} for none)</li>
 *   <li>{@code FERRY_METRICS_PORT}: port of the Prometheus endpoint {@code GET /metrics} (default 8080;
 *       {@code 0} any free port, logged at start; empty or {@code off} none); the meters: docs/metrics.md;
 *       the same port serves the probes {@code /readyz} and {@code /healthz}</li>
 * </ul>
 */
public final class OperatorMain {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);
    /** The probes, on the metrics port: ready once started and while every informer is healthy. */
    static final String READINESS_PATH = "/readyz";
    /** Alive unless the leader election has silently stopped (FerryOperator#livenessProblems). */
    static final String LIVENESS_PATH = "/healthz";
    static final String WATCH_NAMESPACES = "FERRY_WATCH_NAMESPACES";
    static final String WORKER_IMAGE = "FERRY_WORKER_IMAGE";
    static final String WORKER_SERVICE_ACCOUNT = "FERRY_WORKER_SERVICE_ACCOUNT";
    static final String LEADER_ELECTION = "FERRY_LEADER_ELECTION";
    static final String LEASE_NAMESPACE = "FERRY_LEASE_NAMESPACE";
    static final String DEFAULT_WORKER_REPLICAS = "FERRY_DEFAULT_WORKER_REPLICAS";
    static final String PREFETCH_PER_WORKER = "FERRY_PREFETCH_PER_WORKER";
    static final String NOT_READY_GRACE_SECONDS = "FERRY_NOT_READY_GRACE_SECONDS";
    static final String LEASE_STARTUP_GRACE_SECONDS = "FERRY_LEASE_STARTUP_GRACE_SECONDS";
    static final String RECHECK_SECONDS = "FERRY_RECHECK_SECONDS";
    static final String DISRUPTION_GRACE_SECONDS = "FERRY_DISRUPTION_GRACE_SECONDS";
    static final String DESTINATION_PROBE_SECONDS = "FERRY_DESTINATION_PROBE_SECONDS";
    static final String STRAGGLER_WAIT_SECONDS = "FERRY_STRAGGLER_WAIT_SECONDS";
    static final String HUNG_WORKER_GRACE_SECONDS = "FERRY_HUNG_WORKER_GRACE_SECONDS";
    static final String METRICS_PORT = MetricsEndpoint.FERRY_METRICS_PORT;
    static final String WORKER_POD_DEFAULTS = "FERRY_WORKER_POD_DEFAULTS";
    /** Read by logback's configuration (ferry-operator-logback.xml), not by {@link #settings}. */
    static final String LOG_FORMAT = Ferry.LOG_FORMAT_ENV;
    /** Every variable {@link #settings} reads (besides POD_NAMESPACE): what the Helm chart may set. */
    static final Set<String> VARIABLES = Set.of(WATCH_NAMESPACES, WORKER_IMAGE, WORKER_SERVICE_ACCOUNT, LEADER_ELECTION,
            LEASE_NAMESPACE, DEFAULT_WORKER_REPLICAS, PREFETCH_PER_WORKER, NOT_READY_GRACE_SECONDS,
            LEASE_STARTUP_GRACE_SECONDS, RECHECK_SECONDS, DISRUPTION_GRACE_SECONDS, DESTINATION_PROBE_SECONDS,
            STRAGGLER_WAIT_SECONDS, HUNG_WORKER_GRACE_SECONDS, METRICS_PORT, WORKER_POD_DEFAULTS, LOG_FORMAT, LoggingConfigMap.NAME_VARIABLE);

    private OperatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        JvmDefaults.apply();
        OperatorSettings settings = settings(System.getenv(), args);
        AtomicReference<FerryOperator> started = new AtomicReference<>();
        MetricsEndpoint metrics = MetricsEndpoint.startOrRunWithout(MetricsEndpoint.port(System.getenv(METRICS_PORT)),
                Map.of(
                        // not ready until the operator has started (its caches synced, its election running)
                        READINESS_PATH, () -> Optional.ofNullable(started.get()).map(FerryOperator::readinessProblems)
                                .orElse(List.of("the operator is starting")),
                        LIVENESS_PATH, () -> Optional.ofNullable(started.get()).map(FerryOperator::livenessProblems)
                                .orElse(List.of())));
        KubernetesClient client = FerryKinds.registeredWith(new KubernetesClientBuilder().build());
        FerryOperator operator = FerryOperator.start(client, settings, PublisherFactory.KAFKA,
                metrics == null ? new CompositeMeterRegistry() : metrics.registry());
        started.set(operator);
        LoggingConfigMap logging = LoggingConfigMap.watch(client, System.getenv("POD_NAMESPACE"), System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            operator.close();
            if (logging != null) {
                logging.close();
            }
            client.close();
            if (metrics != null) {
                metrics.close();
            }
            HttpClientSelectors.stopAll(Duration.ofSeconds(1)); // else the JVM's exit waits 0.3 s for them
            stopped.countDown();
        }, "ferry-operator-shutdown"));
        stopped.await();
    }

    static OperatorSettings settings(Map<String, String> env, String[] args) {
        Map<String, String> values = new HashMap<>(env);
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            String name = arg.substring(2, arg.indexOf('='));
            values.put("FERRY_" + name.toUpperCase().replace('-', '_'), arg.substring(arg.indexOf('=') + 1));
        }
        OperatorSettings settings = OperatorSettings.defaults();
        String namespaces = values.getOrDefault(WATCH_NAMESPACES, "");
        settings = settings.withNamespaces(Arrays.stream(namespaces.split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet()));
        if (values.containsKey(WORKER_IMAGE) && !values.get(WORKER_IMAGE).isBlank()) {
            settings = settings.withWorkerImage(values.get(WORKER_IMAGE));
        }
        if (values.containsKey(WORKER_SERVICE_ACCOUNT)) {
            settings = settings.withWorkerServiceAccount(values.get(WORKER_SERVICE_ACCOUNT));
        }
        if (Boolean.parseBoolean(values.getOrDefault(LEADER_ELECTION, "false"))) {
            settings = settings.withLeaderElection(true,
                    values.getOrDefault(LEASE_NAMESPACE, values.get("POD_NAMESPACE")));
        }
        if (values.containsKey(DEFAULT_WORKER_REPLICAS)) {
            settings = settings.withDefaultWorkerReplicas(Integer.parseInt(values.get(DEFAULT_WORKER_REPLICAS)));
        }
        if (values.containsKey(PREFETCH_PER_WORKER)) {
            settings = settings.withPrefetchPerWorker(Integer.parseInt(values.get(PREFETCH_PER_WORKER)));
        }
        if (values.containsKey(NOT_READY_GRACE_SECONDS)) {
            settings = settings.withNotReadyGrace(Duration.ofSeconds(Long.parseLong(values.get(NOT_READY_GRACE_SECONDS))));
        }
        if (values.containsKey(LEASE_STARTUP_GRACE_SECONDS)) {
            settings = settings.withLeaseStartupGrace(
                    Duration.ofSeconds(Long.parseLong(values.get(LEASE_STARTUP_GRACE_SECONDS))));
        }
        if (values.containsKey(RECHECK_SECONDS)) {
            settings = settings.withRecheckInterval(Duration.ofSeconds(Long.parseLong(values.get(RECHECK_SECONDS))));
        }
        if (values.containsKey(DISRUPTION_GRACE_SECONDS)) {
            settings = settings.withDisruptionGrace(seconds(values.get(DISRUPTION_GRACE_SECONDS)));
        }
        if (values.containsKey(DESTINATION_PROBE_SECONDS)) {
            settings = settings.withDestinationProbeInterval(seconds(values.get(DESTINATION_PROBE_SECONDS)));
        }
        if (values.containsKey(WORKER_POD_DEFAULTS) && !values.get(WORKER_POD_DEFAULTS).isBlank()) {
            settings = settings.withWorkerPodDefaults(WorkerPodDefaults.read(Path.of(values.get(WORKER_POD_DEFAULTS))));
        }
        if (values.containsKey(STRAGGLER_WAIT_SECONDS)) {
            settings = settings.withStragglerWait(seconds(values.get(STRAGGLER_WAIT_SECONDS)));
        }
        if (values.containsKey(HUNG_WORKER_GRACE_SECONDS)) {
            settings = settings.withHungWorkerGrace(seconds(values.get(HUNG_WORKER_GRACE_SECONDS)));
        }
        return settings;
    }

    private static Duration seconds(String value) {
        return Duration.ofSeconds(Long.parseLong(value.strip()));
    }
}
