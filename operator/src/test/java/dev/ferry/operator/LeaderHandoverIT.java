package dev.ferry.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operators elect a leader through the {@code ferry-operator} Lease; the leader, when stopped,
 * hands the Lease over, so the standby leads at its next try (JOSDK tries every 2 s) rather than
 * after the Lease's 15 s, and reconciles what comes next.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderHandoverIT {
    /** JOSDK's lease duration: without the release, the standby could not lead sooner. */
    private static final Duration LEASE_DURATION = Duration.ofSeconds(15);

    KubernetesMockServer server;
    KubernetesClient client;

    private final List<FerryOperator> running = new ArrayList<>();
    private Cluster cluster;

    @BeforeEach
    void setUp() {
        cluster = new Cluster(client);
        cluster.installCrds();
        cluster.createClaimAndSecret();
        // JOSDK asks whether it may use Leases before it elects; the mock has no authorizer to answer
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
                        .withApiGroups("*").withResources("*").withVerbs("*").endResourceRule().endStatus().build())
                .always();
    }

    @AfterEach
    void stopOperators() {
        running.forEach(FerryOperator::close);
    }

    @Test
    void aStoppedLeaderHandsTheLeaseToTheStandbyWhichReconcilesAtOnce() {
        FerryOperator first = start();
        String firstHolder = await().atMost(Duration.ofSeconds(20)).until(this::holder, h -> h != null);
        cluster.createJob("before", spec -> spec.destination.prefix = "before/");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.deployment("before-worker") != null);
        FerryOperator standby = start();
        assertThat(standby.readinessProblems()).as("a standby is ready: its informers run, it competes").isEmpty();
        assertThat(first.readinessProblems()).isEmpty();
        assertThat(standby.livenessProblems()).isEmpty();

        long stopped = System.nanoTime();
        running.remove(first);
        first.close();
        assertThat(first.readinessProblems()).containsExactly("the operator is stopping");
        String next = await().atMost(LEASE_DURATION.minusSeconds(5)).until(this::holder,
                h -> h != null && !h.equals(firstHolder));
        Duration handedOver = Duration.ofNanos(System.nanoTime() - stopped);
        System.out.printf("the standby %s took the Lease %d ms after the leader stopped%n", next, handedOver.toMillis());

        cluster.createJob("after", spec -> spec.destination.prefix = "after/");
        await("the new leader reconciles").atMost(Duration.ofSeconds(10))
                .until(() -> cluster.deployment("after-worker") != null);
    }

    private FerryOperator start() {
        FerryOperator operator = FerryOperator.start(client, OperatorSettings.defaults()
                .withLeaderElection(true, Cluster.NAMESPACE)
                .withExitOnStopLeading(false)
                .withWorkerImage("ferry/worker:test")
                .withLeaseStartupGrace(Duration.ofDays(1))
                .withRecheckInterval(Duration.ofMillis(300)));
        running.add(operator);
        return operator;
    }

    private String holder() {
        Lease lease = client.leases().inNamespace(Cluster.NAMESPACE).withName(OperatorSettings.LEASE_NAME).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }
}
