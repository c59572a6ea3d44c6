package dev.ferry.operator;

import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.leadership.OperatorLease;
import dev.ferry.operator.liveness.LeaseRenewals;
import dev.ferry.operator.liveness.ReadinessChanges;
import dev.ferry.api.runtime.KafkaMetrics;
import dev.ferry.operator.notifications.PublisherFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ferry operator: one JOSDK {@link Operator} running the MigrationJob reconciler against a
 * given client. Embeddable (the local mode starts it in-process) and the body of {@link OperatorMain}.
 */
public final class FerryOperator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FerryOperator.class);
    /** How often {@link #watchElection} looks: well within {@link OperatorLease#STALL_AFTER}. */
    private static final Duration ELECTION_LOOK = Duration.ofSeconds(15);

    private final Operator operator;
    private final MigrationJobReconciler reconciler;
    /** Null without leader election, and so is {@link #electionWatch}. */
    private final OperatorLease lease;
    private final ScheduledExecutorService electionWatch;
    private volatile boolean stopping;
    /** What the last look at the election found wrong; null: nothing. */
    private volatile String electionStall;

    private FerryOperator(Operator operator, MigrationJobReconciler reconciler, OperatorLease lease) {
        this.operator = operator;
        this.reconciler = reconciler;
        this.lease = lease;
        this.electionWatch = lease == null ? null : Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ferry-election-watch");
            thread.setDaemon(true);
            return thread;
        });
        if (lease != null) {
            watchElection();
        }
    }

    public static FerryOperator start(KubernetesClient client, OperatorSettings settings) {
        return start(client, settings, PublisherFactory.KAFKA);
    }

    /** @param publishers opens the Kafka publisher of each job with {@code spec.notifications} (tests: a fake) */
    public static FerryOperator start(KubernetesClient client, OperatorSettings settings, PublisherFactory publishers) {
        return start(client, settings, publishers, new CompositeMeterRegistry());
    }

    /** As above, counting hand-outs, take-backs, tasks by phase and the jobs' events in {@code meters}. */
    public static FerryOperator start(KubernetesClient client, OperatorSettings settings, PublisherFactory publishers,
            MeterRegistry meters) {
        KafkaMetrics kafka = new KafkaMetrics(meters);
        PublisherFactory timed = target -> kafka.timed(publishers.open(target));
        OperatorLease lease = settings.leaderElection() ? lease(client, settings) : null;
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    // The Fabric8 mock (and so the local mode) has no server-side apply.
                    .withUseSSAToPatchPrimaryResource(false)
                    // The client is the caller's: it may outlive this operator.
                    .withCloseClientOnStop(false)
                    .withCacheSyncTimeout(Duration.ofMinutes(2));
            if (lease != null) {
                var election = LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(OperatorSettings.LEASE_NAME)
                        .withLeaseNamespace(lease.namespace())
                        // The Lease names its holder by pod name, so `kubectl get lease ferry-operator` says which pod leads.
                        .withIdentity(lease.identity())
                        // OperatorLease decides what the end of the election means (JOSDK's exit hangs a stopping JVM)
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(lease.callbacks());
                o.withLeaderElectionConfiguration(election.build());
            }
        });
        MigrationJobReconciler reconciler = new MigrationJobReconciler(client, settings, timed, meters);
        operator.register(reconciler, o -> {
            if (settings.watchesAllNamespaces()) {
                o.watchingAllNamespaces();
            } else {
                o.settingNamespaces(settings.namespaces());
            }
            // A safety net only: events and reschedules drive reconciles.
            o.withReconciliationMaxInterval(Duration.ofMinutes(10));
        });
        operator.start();
        LOG.info("Ferry operator started (namespaces: {}, worker image {}, leader election {})",
                settings.watchesAllNamespaces() ? "all" : settings.namespaces(), settings.workerImage(),
                settings.leaderElection() ? "on" : "off");
        return new FerryOperator(operator, reconciler, lease);
    }

    private static OperatorLease lease(KubernetesClient client, OperatorSettings settings) {
        String podName = System.getenv("POD_NAME");
        String identity = podName != null && !podName.isBlank() ? podName : "ferry-operator-" + UUID.randomUUID();
        String namespace = settings.leaseNamespace() != null ? settings.leaseNamespace() : client.getNamespace();
        // a leader that lost the Lease while running ends its process; one embedded in a test JVM must not
        Runnable onLoss = settings.exitOnStopLeading() ? () -> System.exit(1) : () -> { };
        return new OperatorLease(client, namespace, OperatorSettings.LEASE_NAME, identity, onLoss, settings.clock());
    }

    /** What this operator has seen of worker Leases (for tests that move its clock). */
    LeaseRenewals leaseRenewals() {
        return reconciler.leaseRenewals();
    }

    /** What the operator has seen of worker pods' readiness (tests that move its clock). */
    ReadinessChanges readinessChanges() {
        return reconciler.readinessChanges();
    }

    /**
     * Why this operator should not count as ready, if anything: it is stopping, or an event source
     * (an informer of jobs, tasks, pods, Leases…) is unhealthy, so it would act on a stale view. A
     * standby is ready: its informers run, and it takes the Lease at its next try. Served at
     * {@code /readyz}, so that a rolling update stops the old leader only once the new pod can lead.
     */
    public List<String> readinessProblems() {
        if (stopping) {
            return List.of("the operator is stopping");
        }
        List<String> problems = new ArrayList<>();
        operator.getRuntimeInfo().unhealthyEventSources().forEach((controller, sources) -> sources.forEach(
                (source, health) -> problems.add("event source " + source + " of controller " + controller + " is "
                        + health.getStatus())));
        return problems;
    }

    /**
     * Why this operator should be restarted, if anything: its leader election has silently stopped
     * ({@link OperatorLease#stall}). Served at {@code /healthz}. An unreachable API server or an
     * informer that reconnects is not a reason: a restart would not mend either.
     */
    public List<String> livenessProblems() {
        String stall = electionStall;
        return stall == null || stopping ? List.of() : List.of(stall);
    }

    /** Looks at the Lease off the probe's thread: a slow API server must not make the probe time out. */
    private void watchElection() {
        electionWatch.scheduleWithFixedDelay(() -> {
            try {
                String stall = lease.stall().orElse(null);
                if (stall != null && electionStall == null) {
                    LOG.error("{}", stall);
                }
                electionStall = stall;
            } catch (RuntimeException e) {
                LOG.warn("could not look at the leader election: {}", e.toString());
            }
        }, ELECTION_LOOK.toSeconds(), ELECTION_LOOK.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        stopping = true;
        if (electionWatch != null) {
            electionWatch.shutdownNow();
        }
        if (lease != null) {
            lease.stopping();
        }
        operator.stop(); // the controllers stop first, then the election
        reconciler.close();
        if (lease != null) {
            lease.release(); // only now may a standby reconcile
        }
    }
}
