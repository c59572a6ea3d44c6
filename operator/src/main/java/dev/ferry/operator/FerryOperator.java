package dev.ferry.operator;

import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.leadership.OperatorLease;
import dev.ferry.api.runtime.KafkaMetrics;
import dev.ferry.operator.notifications.PublisherFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ferry operator: one JOSDK {@link Operator} running the MigrationJob reconciler against a
 * given client. Embeddable (the local mode starts it in-process) and the body of {@link OperatorMain}.
 */
public final class FerryOperator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FerryOperator.class);

    private final Operator operator;
    private final MigrationJobReconciler reconciler;
    /** Null without leader election. */
    private final OperatorLease lease;

    private FerryOperator(Operator operator, MigrationJobReconciler reconciler, OperatorLease lease) {
        this.operator = operator;
        this.reconciler = reconciler;
        this.lease = lease;
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

    @Override
    public void close() {
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
