package dev.ferry.operator;

import static dev.ferry.operator.TestObjects.planned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FileEntry;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Disruption is not failure, against the Fabric8 mock API server in CRUD mode: holders that die after moving a
 * task forward cost takebacks, holders that die without moving it cost attempts (so a poison pill ends, as
 * HOLDERS_DIED), stalled holders are fenced out, and a task prefetched behind a busy worker moves to an idle
 * one. The test plays the kubelet (pods), the workers (task writes, Leases) and moves the operator's clock.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class DisruptionIT {
    private static final Duration GRACE = Duration.ofMinutes(2);
    private static final Duration STRAGGLER_WAIT = Duration.ofSeconds(10);
    /** Long enough that moving the clock by a step never lets a renewed Lease expire. */
    private static final int LEASE_SECONDS = 300;

    KubernetesMockServer server;
    KubernetesClient client;

    private final MutableClock clock = new MutableClock(Instant.now());
    private Cluster cluster;
    private FerryOperator operator;

    @BeforeEach
    void startOperator() {
        cluster = new Cluster(client);
        cluster.installCrds();
        cluster.runAuditsThatPass();
        cluster.createClaimAndSecret();
        operator = FerryOperator.start(client, OperatorSettings.defaults()
                .withClock(clock)
                .withExitOnStopLeading(false)
                .withWorkerImage("ferry/worker:test")
                .withPrefetchPerWorker(2)
                .withNotReadyGrace(Duration.ofSeconds(30))
                // Workers without a Lease stay alive (the stall test plays Leases).
                .withLeaseStartupGrace(Duration.ofDays(1))
                .withDisruptionGrace(GRACE)
                .withStragglerWait(STRAGGLER_WAIT)
                .withRecheckInterval(Duration.ofMillis(300)));
    }

    @AfterEach
    void stopOperator() {
        cluster.stopAudits();
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void holdersThatDieAfterMovingTheTaskForwardCostTakebacksNotAttempts() {
        cluster.createJob("churn", spec -> maxAttempts(spec, 2));
        await().untilAsserted(() -> assertThat(cluster.tasks("churn")).hasSize(1));

        // Three holders in turn, more than maxAttempts, each killed long after the hand-out but after progress.
        for (int round = 1; round <= 3; round++) {
            String worker = "w" + round;
            cluster.startWorkerPod("churn", worker, true, clock.instant());
            await().untilAsserted(() -> assertThat(holder(cluster.task("churn-plan"))).contains(worker));
            clock.advance(GRACE.plusMinutes(1));
            cluster.writeAsWorker("churn-plan", status -> movedForward(status, clock.instant(), "dir/file-" + worker));
            awaitTheOperatorSeesRunning("churn");
            cluster.deletePod(worker);

            int takebacks = round;
            await().untilAsserted(() -> {
                MigrationTaskStatus status = cluster.task("churn-plan").getStatus();
                assertThat(status.phase).isEqualTo(TaskPhase.Pending);
                assertThat(status.takebacks).isEqualTo(takebacks);
                assertThat(status.attemptsOrZero()).isZero();
                assertThat(status.notBefore).as("no backoff for a disruption").isNull();
                assertThat(status.message).contains("worker " + worker + " is gone")
                        .contains("it had moved the task forward: no attempt used");
                assertThat(status.progress.checkpoint).isEqualTo("dir/file-" + worker);
            });
        }
        assertThat(cluster.job("churn").getStatus().phase).isIn(JobPhase.Planning, JobPhase.Running);
    }

    @Test
    void aHolderKilledRightAfterTheHandOutOrBeforeItStartedCostsNoAttempt() {
        cluster.createJob("spot", spec -> maxAttempts(spec, 1));
        await().untilAsserted(() -> assertThat(cluster.tasks("spot")).hasSize(1));

        // Prefetched and never started: however long it waited, the holder had no chance.
        cluster.startWorkerPod("spot", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("spot-plan"))).contains("w1"));
        clock.advance(GRACE.multipliedBy(3));
        cluster.deletePod("w1");
        await().untilAsserted(() -> assertThat(cluster.task("spot-plan").getStatus()).satisfies(status -> {
            assertThat(status.phase).isEqualTo(TaskPhase.Pending);
            assertThat(status.takebacks).isEqualTo(1);
            assertThat(status.attemptsOrZero()).isZero();
            assertThat(status.message).contains("before it started the task: no attempt used");
        }));

        // Started, killed 20 s later without progress: within the grace, a takeback too.
        cluster.startWorkerPod("spot", "w2", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("spot-plan"))).contains("w2"));
        cluster.writeAsWorker("spot-plan", DisruptionIT::running);
        awaitTheOperatorSeesRunning("spot");
        clock.advance(Duration.ofSeconds(20));
        cluster.deletePod("w2");
        await().untilAsserted(() -> assertThat(cluster.task("spot-plan").getStatus()).satisfies(status -> {
            assertThat(status.phase).isEqualTo(TaskPhase.Pending);
            assertThat(status.takebacks).isEqualTo(2);
            assertThat(status.takebacksWithoutProgress).isEqualTo(1);
            assertThat(status.attemptsOrZero()).isZero();
            assertThat(status.message).contains("after holding the task for only 20s (less than 2m): no attempt used");
        }));
    }

    @Test
    void aFileThatKillsItsHolderAtOnceStillEndsAsHoldersDied() {
        cluster.createJob("pill", spec -> maxAttempts(spec, 1));
        await().untilAsserted(() -> assertThat(cluster.tasks("pill")).hasSize(1));

        // Every holder dies 20 s after starting, having moved nothing: excused 3 x maxAttempts times in a row, then not.
        for (String worker : new String[] {"w1", "w2", "w3", "w4"}) {
            cluster.startWorkerPod("pill", worker, true, clock.instant());
            await().untilAsserted(() -> assertThat(holder(cluster.task("pill-plan"))).contains(worker));
            cluster.writeAsWorker("pill-plan", DisruptionIT::running);
            awaitTheOperatorSeesRunning("pill");
            clock.advance(Duration.ofSeconds(20));
            cluster.deletePod(worker);
            await().untilAsserted(() -> assertThat(phase(cluster.task("pill-plan"))).isIn(TaskPhase.Pending, TaskPhase.Failed));
        }

        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("pill-plan");
            assertThat(plan.getStatus().phase).isEqualTo(TaskPhase.Failed);
            assertThat(plan.getStatus().attempts).isEqualTo(1);
            assertThat(plan.getStatus().takebacks).isEqualTo(3);
            assertThat(plan.getStatus().message).contains("gave up after 1 attempts").contains("HOLDERS_DIED")
                    .contains("worker w4 is gone");
            assertThat(plan.getStatus().failures).singleElement()
                    .satisfies(f -> assertThat(f.code).isEqualTo("HOLDERS_DIED"));
            assertThat(cluster.job("pill").getStatus().phase).isEqualTo(JobPhase.Failed);
        });
    }

    @Test
    void holdersThatDieWithoutProgressUseAttemptsAndItsFilesAreReportedAndCounted() {
        MigrationJob job = cluster.createJob("poison", spec -> maxAttempts(spec, 2));
        await().untilAsserted(() -> assertThat(cluster.tasks("poison")).hasSize(1));
        cluster.startWorkerPod("poison", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("poison-plan"))).contains("w1"));
        cluster.createCopyTask(job, "poison-plan-00001", file("a"), file("b"), file("c"));
        cluster.writeAsWorker("poison-plan", status -> planned(status, 3, 300, 1));
        String copy = "poison-plan-00001";
        await().untilAsserted(() -> assertThat(holder(cluster.task(copy))).contains("w1"));

        // The first holder copies a, then dies on b: progress, so a takeback.
        clock.advance(Duration.ofSeconds(30));
        cluster.writeAsWorker(copy, status -> {
            movedForward(status, clock.instant(), "1");
            status.progress.copied = 1;
            status.progress.files = 1;
            status.progress.bytes = 100;
            return status;
        });
        awaitTheOperatorSeesRunning("poison");
        clock.advance(GRACE.plusMinutes(1));
        cluster.deletePod("w1");
        await().untilAsserted(() -> assertThat(cluster.task(copy).getStatus().takebacks).isEqualTo(1));

        // The next two die on b without moving anything, each long after the hand-out: two attempts, the last fatal.
        cluster.startWorkerPod("poison", "w2", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task(copy))).contains("w2"));
        cluster.writeAsWorker(copy, DisruptionIT::running);
        awaitTheOperatorSeesRunning("poison");
        clock.advance(GRACE.plusMinutes(1));
        cluster.deletePod("w2");
        await().untilAsserted(() -> assertThat(cluster.task(copy).getStatus()).satisfies(status -> {
            assertThat(status.phase).isEqualTo(TaskPhase.Pending);
            assertThat(status.attempts).isEqualTo(1);
            assertThat(status.takebacks).isEqualTo(1);
            assertThat(status.notBefore).as("backoff").isEqualTo(clock.instant().plusSeconds(10).toString());
            assertThat(status.message).contains("without moving the task forward in 3m: attempt 1 of 2 used");
        }));
        cluster.startWorkerPod("poison", "w3", true, clock.instant());
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(phase(cluster.task(copy))).as("backing off").isEqualTo(TaskPhase.Pending));
        clock.advance(Duration.ofSeconds(11));
        await().untilAsserted(() -> assertThat(holder(cluster.task(copy))).contains("w3"));
        cluster.writeAsWorker(copy, DisruptionIT::running);
        awaitTheOperatorSeesRunning("poison");
        clock.advance(GRACE.plusMinutes(1));
        cluster.deletePod("w3");

        await().untilAsserted(() -> {
            MigrationTask failed = cluster.task(copy);
            assertThat(failed.getStatus().phase).isEqualTo(TaskPhase.Failed);
            assertThat(failed.getStatus().attempts).isEqualTo(2);
            assertThat(failed.getStatus().message).contains("its holders died without moving it forward (HOLDERS_DIED)");
            assertThat(failed.getStatus().failures).extracting(f -> f.path).containsExactly("b", "c");
            assertThat(failed.getStatus().failures).allSatisfy(f -> assertThat(f.code).isEqualTo("HOLDERS_DIED"));
            MigrationJobStatus status = cluster.job("poison").getStatus();
            assertThat(status.phase).isEqualTo(JobPhase.Failed);
            assertThat(status.files.total).isEqualTo(3);
            assertThat(status.files.copied).isEqualTo(1);
            assertThat(status.files.failed).as("the two files the task leaves").isEqualTo(2);
            assertThat(status.failures).extracting(f -> f.path).containsExactly("b", "c");
        });
    }

    @Test
    void takesBackAStalledTaskButNotASlowOneThatKeepsMoving() {
        MigrationJob job = cluster.createJob("hang", spec -> {
            spec.tasks = new TasksSpec();
            spec.tasks.stallTimeout = "1m";
        });
        await().untilAsserted(() -> assertThat(cluster.tasks("hang")).hasSize(1));
        cluster.startWorkerPod("hang", "w1", true, clock.instant());
        renew("hang", "w1", clock.instant(), LEASE_SECONDS);
        await().untilAsserted(() -> assertThat(holder(cluster.task("hang-plan"))).contains("w1"));
        cluster.createCopyTask(job, "hang-plan-00001", file("huge"));
        cluster.createCopyTask(job, "hang-plan-00002", file("slow"));
        cluster.writeAsWorker("hang-plan", status -> planned(status, 2, 200, 2));
        await().untilAsserted(() -> {
            assertThat(holder(cluster.task("hang-plan-00001"))).contains("w1");
            assertThat(holder(cluster.task("hang-plan-00002"))).contains("w1");
        });
        cluster.startWorkerPod("hang", "w2", true, clock.instant());
        renew("hang", "w2", clock.instant(), LEASE_SECONDS);
        for (String task : new String[] {"hang-plan-00001", "hang-plan-00002"}) {
            cluster.writeAsWorker(task, status -> movedForward(status, clock.instant(), "0"));
        }

        // Both move slowly (bytes of one file now and then) for three stall timeouts: no stall.
        for (int step = 0; step < 4; step++) {
            advanceKeepingLeases(Duration.ofSeconds(45));
            for (String task : new String[] {"hang-plan-00001", "hang-plan-00002"}) {
                cluster.writeAsWorker(task, status -> movedForward(status, clock.instant(), "0"));
            }
        }
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.task("hang-plan-00001").getStatus().assignment.epoch).isEqualTo(1L);
            assertThat(cluster.events("hang")).noneSatisfy(e -> assertThat(e.getReason()).isEqualTo("TaskStalled"));
        });

        // 00001 hangs (its holder still renews its Lease); 00002 goes on moving.
        advanceKeepingLeases(Duration.ofSeconds(40));
        cluster.writeAsWorker("hang-plan-00002", status -> movedForward(status, clock.instant(), "0"));
        advanceKeepingLeases(Duration.ofSeconds(25));
        cluster.writeAsWorker("hang-plan-00002", status -> movedForward(status, clock.instant(), "0"));

        await().untilAsserted(() -> {
            MigrationTask stalled = cluster.task("hang-plan-00001");
            assertThat(holder(stalled)).as("handed to the other worker").contains("w2");
            assertThat(stalled.getStatus().assignment.epoch).as("taken back (2), handed out (3): w1 is fenced out").isEqualTo(3L);
            assertThat(stalled.getStatus().takebacks).as("it had moved forward in this holding").isEqualTo(1);
            assertThat(stalled.getStatus().attemptsOrZero()).isZero();
            assertThat(cluster.task("hang-plan-00002").getStatus().assignment.epoch).isEqualTo(1L);
            assertThat(cluster.events("hang")).filteredOn(e -> e.getReason().equals("TaskStalled")).singleElement()
                    .satisfies(e -> {
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getMessage()).contains("1 task(s) made no progress for 1m").contains("hang-plan-00001 on w1");
                    });
        });
    }

    @Test
    void movesATaskPrefetchedBehindABusyWorkerToAnIdleOne() {
        MigrationJob job = cluster.createJob("tail", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("tail")).hasSize(1));
        cluster.startWorkerPod("tail", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("tail-plan"))).contains("w1"));
        cluster.createCopyTask(job, "tail-plan-00001", file("a"));
        cluster.createCopyTask(job, "tail-plan-00002", file("b"));
        cluster.writeAsWorker("tail-plan", status -> planned(status, 2, 200, 2));
        await().untilAsserted(() -> {
            assertThat(holder(cluster.task("tail-plan-00001"))).contains("w1");
            assertThat(holder(cluster.task("tail-plan-00002"))).contains("w1");
        });
        cluster.writeAsWorker("tail-plan-00001", DisruptionIT::running);

        // w2 arrives idle; the job's last task waits behind w1's running one.
        cluster.startWorkerPod("tail", "w2", true, clock.instant());
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(holder(cluster.task("tail-plan-00002"))).as("not before the wait").contains("w1"));
        clock.advance(STRAGGLER_WAIT.plusSeconds(1));

        await().untilAsserted(() -> {
            MigrationTask moved = cluster.task("tail-plan-00002");
            assertThat(holder(moved)).contains("w2");
            assertThat(moved.getStatus().assignment.epoch).isEqualTo(3L);
            assertThat(moved.getStatus().attemptsOrZero()).isZero();
            assertThat(moved.getStatus().takebacks).as("not started: nothing counted").isNull();
        });
        MigrationTask running = cluster.task("tail-plan-00001");
        assertThat(holder(running)).contains("w1");
        assertThat(running.getStatus().assignment.epoch).isEqualTo(1L);
        // w2 now holds one task it has not started: not busy, so nothing moves back.
        clock.advance(STRAGGLER_WAIT.plusSeconds(1));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster.task("tail-plan-00002").getStatus().assignment.epoch).isEqualTo(3L));
    }

    /** Plays a worker renewing its Lease and waits until the operator saw it (it times a renewal when it sees it). */
    private void renew(String job, String pod, Instant renewTime, int durationSeconds) {
        Lease lease = cluster.renewLease(job, pod, renewTime, durationSeconds);
        await().until(() -> operator.leaseRenewals().hasSeen(lease));
    }

    private void advanceKeepingLeases(Duration step) {
        clock.advance(step);
        for (String worker : new String[] {"w1", "w2"}) {
            renew("hang", worker, clock.instant(), LEASE_SECONDS);
        }
    }

    private static void maxAttempts(MigrationJobSpec spec, int attempts) {
        spec.tasks = new TasksSpec();
        spec.tasks.maxAttempts = attempts;
    }

    /**
     * Until the operator has seen the holder's write (the job's status counts one task Running) — before the test
     * kills the holder, so that each round is the take-back of a started task. An operator that met the pod's
     * deletion first and wrote on the task as it was would be refused (409, {@code StrictResourceVersions};
     * {@code TaskStatusWriterTest} shows it) and decide again; before the mock was made to check status writes,
     * that stale write went through (CI, once).
     */
    private void awaitTheOperatorSeesRunning(String job) {
        await().untilAsserted(() -> assertThat(cluster.job(job).getStatus().tasks.running).isEqualTo(1));
    }

    private static MigrationTaskStatus running(MigrationTaskStatus status) {
        status.phase = TaskPhase.Running;
        return status;
    }

    /** A holder's progress write: Running, the checkpoint, and the moment it moved the task forward. */
    private static MigrationTaskStatus movedForward(MigrationTaskStatus status, Instant now, String checkpoint) {
        status.phase = TaskPhase.Running;
        status.progressTime = now.toString();
        if (status.progress == null) {
            status.progress = new MigrationTaskStatus.Progress();
        }
        status.progress.checkpoint = checkpoint;
        return status;
    }

    private static FileEntry file(String path) {
        return new FileEntry(path, 100, 1_700_000_000_000L);
    }

    private static Optional<String> holder(MigrationTask task) {
        return Optional.ofNullable(task.getStatus())
                .filter(s -> s.phase == TaskPhase.Assigned || s.phase == TaskPhase.Running)
                .map(s -> s.assignment).map(a -> a.worker);
    }

    private static TaskPhase phase(MigrationTask task) {
        return task.getStatus() == null || task.getStatus().phase == null ? TaskPhase.Pending : task.getStatus().phase;
    }
}
