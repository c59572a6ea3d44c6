package dev.ferry.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.AuditedClient;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Worker liveness by Lease against the Fabric8 mock API server in CRUD mode: the test plays the
 * kubelet (pods that stay Ready) and the workers' Lease renewals, and moves the operator's clock.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class WorkerLivenessIT {
    private static final int LEASE_SECONDS = 15;

    KubernetesMockServer server;
    KubernetesClient client;

    private final MutableClock clock = new MutableClock(Instant.now());
    private Cluster cluster;
    private FerryOperator operator;
    /** The operators' own client: what they call is held against the chart's RBAC rules after each test. */
    private KubernetesClient operatorClient;

    @BeforeEach
    void prepareCluster() throws InterruptedException {
        cluster = new Cluster(client);
        cluster.installCrds();
        cluster.runAuditsThatPass();
        cluster.createClaimAndSecret();
        AuditedClient.drain(server, "operator");
        operatorClient = AuditedClient.of(client, "operator");
    }

    private void startOperator(Clock clock, Duration recheckInterval) {
        operator = FerryOperator.start(operatorClient, OperatorSettings.defaults()
                .withClock(clock)
                .withExitOnStopLeading(false)
                .withWorkerImage("ferry/worker:test")
                .withPrefetchPerWorker(2)
                .withNotReadyGrace(Duration.ofSeconds(60))
                .withLeaseStartupGrace(Duration.ofSeconds(LEASE_SECONDS))
                .withRecheckInterval(recheckInterval));
    }

    @AfterEach
    void stopOperatorAndAuditItsCalls() throws InterruptedException {
        cluster.stopAudits();
        if (operator != null) {
            operator.close();
        }
        operatorClient.close();
        AuditedClient.assertTheChartAllowsWhatItCalled(server, "operator");
    }

    @Test
    void workersWhoseClocksAreMinutesOffLiveWhileTheyRenewAndDieFifteenSecondsAfterTheyStop() {
        startOperator(clock, Duration.ofMillis(300));
        cluster.createJob("skew", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("skew")).hasSize(1));
        Duration lag = Duration.ofMinutes(2); // w1's node is two minutes behind the operator's, w2's ten ahead
        Duration lead = Duration.ofMinutes(10);
        Instant start = clock.instant();
        cluster.startWorkerPod("skew", "w1", true, start);
        renew("skew", "w1", start.minus(lag), LEASE_SECONDS);
        await().untilAsserted(() -> assertThat(holder(cluster.task("skew-plan"))).contains("w1"));
        cluster.startWorkerPod("skew", "w2", true, start);
        renew("skew", "w2", start.plus(lead), LEASE_SECONDS);

        // A minute of renewals every 5 s: longer than the Lease and the hung-worker grace together.
        for (int step = 0; step < 12; step++) {
            clock.advance(Duration.ofSeconds(5));
            renew("skew", "w1", clock.instant().minus(lag), LEASE_SECONDS);
            renew("skew", "w2", clock.instant().plus(lead), LEASE_SECONDS);
        }
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.task("skew-plan").getStatus().assignment.epoch).as("never taken back").isEqualTo(1L);
            assertThat(client.pods().inNamespace(Cluster.NAMESPACE).withName("w1").get()).as("nor deleted").isNotNull();
        });

        // w1 stops renewing: dead 15 s later by the operator's clock, although its last renewTime was long past.
        clock.advance(Duration.ofSeconds(LEASE_SECONDS + 1));
        renew("skew", "w2", clock.instant().plus(lead), LEASE_SECONDS);
        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("skew-plan");
            assertThat(holder(plan)).contains("w2");
            assertThat(plan.getStatus().assignment.epoch).isEqualTo(3L);
        });

        // w2 stops too: dead 15 s later, not ten minutes later when the time its Lease names has passed.
        clock.advance(Duration.ofSeconds(LEASE_SECONDS + 1));
        awaitTakenBack("skew-plan", 4, "Lease of worker w2 expired");
    }

    @Test
    void aWorkerOnANodeMinutesBehindThatGoesNotReadyKeepsItsTaskThroughTheWholeGrace() {
        startOperator(clock, Duration.ofMillis(300));
        Duration lag = Duration.ofMinutes(2); // the node's clock, the kubelet's and the worker's
        planHeldByWorkerWhoseClockIsOff("lag", lag.negated());

        // Not Ready, says its kubelet, "since" two minutes before the operator's now: a blip, not a death.
        Pod notReady = cluster.setReady("w1", false, clock.instant().minus(lag));
        await().until(() -> operator.readinessChanges().hasSeen(notReady));
        for (int step = 0; step < 11; step++) { // 55 s of the 60-s grace, the Lease renewed every 5 s
            clock.advance(Duration.ofSeconds(5));
            renew("lag", "w1", clock.instant().minus(lag), LEASE_SECONDS);
        }
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster.task("lag-plan").getStatus().assignment.epoch).as("kept through the grace").isEqualTo(1L));

        // Still not Ready when the grace has passed on the operator's clock: its task goes back.
        clock.advance(Duration.ofSeconds(6));
        renew("lag", "w1", clock.instant().minus(lag), LEASE_SECONDS);
        awaitTakenBack("lag-plan", 2, "worker w1 has not been Ready for more than 60s");
    }

    @Test
    void aBackoffWrittenByAWorkerMinutesAheadLastsItsLengthOnTheOperatorsClock() {
        startOperator(clock, Duration.ofMillis(300));
        Duration lead = Duration.ofMinutes(10);
        planHeldByWorkerWhoseClockIsOff("ahead", lead);

        // The attempt fails; the worker backs the task off for 20 s by its own clock.
        Instant retryAt = clock.instant().plus(lead).plusSeconds(20);
        cluster.writeAsWorker("ahead-plan", status -> {
            status.phase = TaskPhase.Pending;
            status.attempts = 1;
            status.notBefore = retryAt.toString();
            status.message = "S3 unreachable";
            return status;
        });
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster.task("ahead-plan").getStatus().phase).isEqualTo(TaskPhase.Pending));

        // 20 s later on the operator's clock it goes out again, not ten minutes later.
        for (int step = 0; step < 5; step++) {
            clock.advance(Duration.ofSeconds(5));
            renew("ahead", "w1", clock.instant().plus(lead), LEASE_SECONDS);
        }
        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("ahead-plan");
            assertThat(holder(plan)).contains("w1");
            assertThat(plan.getStatus().assignment.epoch).isEqualTo(2L);
        });
    }

    @Test
    void reassignsTasksOfAWorkerWhoseLeaseExpired() {
        startOperator(clock, Duration.ofMillis(300));
        MigrationJob job = cluster.createJob("books", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("books")).hasSize(1));
        Instant start = clock.instant();
        cluster.startWorkerPod("books", "w1", true, start);
        renew("books", "w1", start, LEASE_SECONDS);
        await().untilAsserted(() -> assertThat(holder(cluster.task("books-plan"))).contains("w1"));
        cluster.startWorkerPod("books", "w2", true, start);
        renew("books", "w2", start, LEASE_SECONDS);

        // w2 keeps renewing; w1 hangs: its pod stays Ready, its Lease is not renewed.
        clock.advance(Duration.ofSeconds(10));
        renew("books", "w2", clock.instant(), LEASE_SECONDS);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster.task("books-plan").getStatus().assignment.epoch).as("w1's Lease is still valid").isEqualTo(1L));
        clock.advance(Duration.ofSeconds(LEASE_SECONDS - 10 + 1));

        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("books-plan");
            assertThat(holder(plan)).contains("w2");
            // taken back (epoch 2), then handed out again (epoch 3); w1 never started it: a takeback, no attempt
            assertThat(plan.getStatus().assignment.epoch).isEqualTo(3L);
            assertThat(plan.getStatus().attempts).isZero();
            assertThat(plan.getStatus().takebacks).isEqualTo(1);
        });
        assertThat(client.pods().inNamespace(Cluster.NAMESPACE).withName("w1").get().getStatus().getConditions())
                .as("the pod still looks Ready").anySatisfy(c -> assertThat(c.getStatus()).isEqualTo("True"));
        await().untilAsserted(() -> assertThat(cluster.events("books"))
                .filteredOn(e -> e.getReason().equals("TasksTakenBack")).singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).startsWith("1 task(s) taken back to be handed out again: 1 (")
                            .contains("w1");
                }));

        // A worker dead by its Lease gets no new tasks: the next one goes to w2 although w1 is idle.
        cluster.createCopyTask(job, "books-plan-00001", new FileEntry("a", 100, 1_700_000_000_000L));
        await().untilAsserted(() -> assertThat(holder(cluster.task("books-plan-00001"))).contains("w2"));
    }

    @Test
    void deletesTheHungPodOnceItsLeaseStayedExpiredForTheGraceSoThatItsDeploymentReplacesIt() {
        startOperator(clock, Duration.ofMillis(300));
        cluster.createJob("atlas", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("atlas")).hasSize(1));
        Instant start = clock.instant();
        cluster.startWorkerPod("atlas", "w1", true, start);
        renew("atlas", "w1", start, LEASE_SECONDS);
        await().untilAsserted(() -> assertThat(holder(cluster.task("atlas-plan"))).contains("w1"));
        cluster.startWorkerPod("atlas", "w2", true, start);

        // w1 hangs at start; w2 renews throughout. Past the expiry w1's task goes to w2, w1's pod stays.
        Duration grace = OperatorSettings.DEFAULT_HUNG_WORKER_GRACE;
        clock.advance(Duration.ofSeconds(LEASE_SECONDS + 1));
        renew("atlas", "w2", clock.instant(), LEASE_SECONDS);
        await().untilAsserted(() -> assertThat(holder(cluster.task("atlas-plan"))).contains("w2"));
        clock.advance(grace.minusSeconds(2));
        renew("atlas", "w2", clock.instant(), LEASE_SECONDS);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(client.pods().inNamespace(Cluster.NAMESPACE).withName("w1").get())
                        .as("within the grace: a worker slow to renew is not killed").isNotNull());

        clock.advance(Duration.ofSeconds(2));
        renew("atlas", "w2", clock.instant(), LEASE_SECONDS);
        await().untilAsserted(() -> assertThat(client.pods().inNamespace(Cluster.NAMESPACE).withName("w1").get())
                .as("deleted: the Deployment starts another pod").isNull());
        assertThat(client.pods().inNamespace(Cluster.NAMESPACE).withName("w2").get()).as("w2 renews").isNotNull();
        await().untilAsserted(() -> assertThat(cluster.events("atlas"))
                .filteredOn(e -> e.getReason().equals("WorkerPodDeleted")).singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).startsWith("deleted worker pod w1: its Lease expired at ")
                            .contains("not renewed for " + grace.toSeconds() + " s more");
                }));
    }

    @Test
    void doesNotDeclareAStartingWorkerDeadBeforeItsFirstLease() {
        startOperator(clock, Duration.ofMillis(300));
        cluster.createJob("maps", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("maps")).hasSize(1));
        cluster.startWorkerPod("maps", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("maps-plan"))).contains("w1"));

        // Still starting: no Lease yet, within the start-up grace.
        clock.advance(Duration.ofSeconds(LEASE_SECONDS - 1));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster.task("maps-plan").getStatus().assignment.epoch).isEqualTo(1L));

        // Its first Lease arrives; past the start-up grace the Lease alone keeps it alive.
        renew("maps", "w1", clock.instant(), LEASE_SECONDS);
        clock.advance(Duration.ofSeconds(LEASE_SECONDS - 1));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            MigrationTask plan = cluster.task("maps-plan");
            assertThat(holder(plan)).contains("w1");
            assertThat(plan.getStatus().assignment.epoch).isEqualTo(1L);
            assertThat(plan.getStatus().attempts).isZero();
        });

        // When that Lease is not renewed, the worker is dead after all.
        clock.advance(Duration.ofSeconds(2));
        awaitTakenBack("maps-plan", 2, "Lease of worker w1 expired");
    }

    @Test
    void noticesAnExpiredLeaseWithoutAnyEvent() {
        // Real time, and no regular recheck within the test: only the reschedule for the Lease's
        // expiry can make the operator look again once everything has gone quiet.
        startOperator(Clock.systemUTC(), Duration.ofMinutes(10));
        cluster.createJob("charts", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("charts")).hasSize(1));
        Instant now = Instant.now();
        cluster.startWorkerPod("charts", "w1", true, now);
        renew("charts", "w1", now, 2);
        await().untilAsserted(() -> assertThat(holder(cluster.task("charts-plan"))).contains("w1"));

        awaitTakenBack("charts-plan", 2, "Lease of worker w1 expired");
    }

    @Test
    void reportsTheJobDegradedWhileAWorkersLeaseIsExpired() {
        startOperator(clock, Duration.ofMillis(300));
        cluster.createJob("atlas", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("atlas")).hasSize(1));
        Instant start = clock.instant();
        for (String worker : List.of("w1", "w2")) {
            cluster.startWorkerPod("atlas", worker, true, start);
            renew("atlas", worker, start, LEASE_SECONDS);
        }
        await().untilAsserted(() -> assertThat(degraded("atlas").getStatus()).isEqualTo("False"));

        // w1 hangs: its pod stays Ready, its Lease runs out; w2 keeps renewing.
        clock.advance(Duration.ofSeconds(LEASE_SECONDS + 1));
        renew("atlas", "w2", clock.instant(), LEASE_SECONDS);
        await().untilAsserted(() -> assertThat(degraded("atlas")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("WorkersMissing");
            assertThat(c.getMessage()).contains("Lease of worker w1 expired");
        }));

        // Its pod is replaced (deleted): the job has what it asked for again.
        cluster.deletePod("w1");
        await().untilAsserted(() -> assertThat(degraded("atlas").getStatus()).isEqualTo("False"));
    }

    /**
     * Creates the job and starts worker w1, whose node's clock (its kubelet's and its own) is {@code offset} from
     * the operator's; returns once w1 holds the job's plan.
     */
    private void planHeldByWorkerWhoseClockIsOff(String job, Duration offset) {
        cluster.createJob(job, spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks(job)).hasSize(1));
        cluster.startWorkerPod(job, "w1", true, clock.instant().plus(offset));
        renew(job, "w1", clock.instant().plus(offset), LEASE_SECONDS);
        await().untilAsserted(() -> assertThat(holder(cluster.task(job + "-plan"))).contains("w1"));
    }

    /** Waits until the task is back to Pending at {@code epoch}, taken back for the reason {@code why} names. */
    private void awaitTakenBack(String task, long epoch, String why) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            MigrationTask taken = cluster.task(task);
            assertThat(taken.getStatus().phase).isEqualTo(TaskPhase.Pending);
            assertThat(taken.getStatus().assignment.epoch).isEqualTo(epoch);
            assertThat(taken.getStatus().message).contains(why);
        });
    }

    /**
     * Plays a worker renewing its Lease and waits until the operator saw it: a renewal is timed when the
     * operator sees it, so the test moves the operator's clock only after that.
     */
    private Lease renew(String job, String pod, Instant renewTime, int durationSeconds) {
        Lease lease = cluster.renewLease(job, pod, renewTime, durationSeconds);
        await().until(() -> operator.leaseRenewals().hasSeen(lease));
        return lease;
    }

    private Condition degraded(String job) {
        MigrationJob read = cluster.job(job);
        assertThat(read.getStatus()).isNotNull();
        return Conditions.find(read.getStatus().conditions, Conditions.DEGRADED)
                .orElseThrow(() -> new AssertionError("no Degraded condition"));
    }

    private static Optional<String> holder(MigrationTask task) {
        return Optional.ofNullable(task.getStatus())
                .filter(s -> s.phase == TaskPhase.Assigned || s.phase == TaskPhase.Running)
                .map(s -> s.assignment).map(a -> a.worker);
    }
}
