package dev.ferry.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A destination that cannot work is said on the job and pauses it, against the Fabric8 mock API server in CRUD
 * mode: the test plays the workers handing tasks back with a {@code storeError} (as they do on NoSuchBucket,
 * AccessDenied, QuotaExceeded or every endpoint down), the probe that gets through, and moves the clock.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class DestinationIT {
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(15);

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
                .withLeaseStartupGrace(Duration.ofDays(1))
                .withDestinationProbeInterval(PROBE_INTERVAL)
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
    void pausesHandOutWhileTheBucketIsMissingProbesOneTaskAtATimeAndResumesByItself() {
        MigrationJob job = cluster.createJob("nobucket", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("nobucket")).hasSize(1));
        cluster.startWorkerPod("nobucket", "w1", true, clock.instant());
        cluster.startWorkerPod("nobucket", "w2", true, clock.instant());
        await().untilAsserted(() -> assertThat(phase(cluster.task("nobucket-plan"))).isEqualTo(TaskPhase.Assigned));
        List<String> copies = List.of("nobucket-plan-00001", "nobucket-plan-00002", "nobucket-plan-00003", "nobucket-plan-00004");
        for (String name : copies) {
            cluster.createCopyTask(job, name, new FileEntry(name, 100, 1_700_000_000_000L));
        }
        cluster.writeAsWorker("nobucket-plan", DestinationIT::planned);
        await().untilAsserted(() -> assertThat(copies).allSatisfy(name -> assertThat(phase(cluster.task(name))).isEqualTo(TaskPhase.Assigned)));

        // The first holder meets NoSuchBucket and hands its task back: the job says so within seconds.
        cluster.writeAsWorker(copies.get(0), status -> handedBack(status, "S3_NO_SUCH_BUCKET", "NoSuchBucket: The specified bucket does not exist"));
        await().untilAsserted(() -> {
            assertThat(degraded("nobucket")).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("DestinationUnavailable");
                assertThat(c.getMessage()).contains("S3_NO_SUCH_BUCKET: NoSuchBucket: The specified bucket does not exist")
                        .contains("hand-out paused");
            });
            assertThat(cluster.events("nobucket")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("DestinationUnavailable");
                assertThat(e.getType()).isEqualTo("Warning");
            });
        });
        // Hand-out paused: w1 has room, but the task stays while the others are held (they meet the store anyway).
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(phase(cluster.task(copies.get(0)))).isEqualTo(TaskPhase.Pending));

        for (String name : copies.subList(1, 4)) {
            cluster.writeAsWorker(name, status -> handedBack(status, "S3_NO_SUCH_BUCKET", "NoSuchBucket: The specified bucket does not exist"));
        }
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(held(copies)).as("no probe before the interval").isEmpty());

        // One probe at a time, at most every probe interval.
        clock.advance(PROBE_INTERVAL.plusSeconds(1));
        await().untilAsserted(() -> assertThat(held(copies)).hasSize(1));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(held(copies)).hasSize(1));
        String probe = held(copies).get(0);
        assertThat(cluster.task(probe).getStatus().message).contains("to probe the destination (S3_NO_SUCH_BUCKET)");
        cluster.writeAsWorker(probe, status -> handedBack(status, "S3_NO_SUCH_BUCKET", "NoSuchBucket: The specified bucket does not exist"));
        clock.advance(PROBE_INTERVAL.minusSeconds(5));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(held(copies)).isEmpty());
        clock.advance(Duration.ofSeconds(6));
        await().untilAsserted(() -> assertThat(held(copies)).hasSize(1));

        // The user creates the bucket: the next probe moves forward, the condition clears, hand-out resumes.
        String second = held(copies).get(0);
        clock.advance(Duration.ofSeconds(1));
        cluster.writeAsWorker(second, status -> {
            status.phase = TaskPhase.Running;
            status.progressTime = clock.instant().toString();
            return status;
        });
        await().untilAsserted(() -> {
            assertThat(degraded("nobucket").getStatus()).isEqualTo("False");
            assertThat(held(copies)).hasSize(4);
            assertThat(cluster.events("nobucket")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("DestinationAvailable");
                assertThat(e.getType()).isEqualTo("Normal");
            });
        });
        assertThat(copies).allSatisfy(name -> assertThat(cluster.task(name).getStatus().attemptsOrZero())
                .as("no task failed for it").isZero());
    }

    @Test
    void reportsAFullDestinationAsQuotaExceededUntilWritesSucceedAgain() {
        cluster.createJob("full", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("full")).hasSize(1));
        cluster.startWorkerPod("full", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(phase(cluster.task("full-plan"))).isEqualTo(TaskPhase.Assigned));

        cluster.writeAsWorker("full-plan", status -> handedBack(status, "S3_QUOTA_EXCEEDED", "QuotaExceeded: bucket quota reached"));
        await().untilAsserted(() -> {
            assertThat(condition("full", Conditions.QUOTA_EXCEEDED)).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("QuotaExceeded");
                assertThat(c.getMessage()).contains("bucket quota reached");
            });
            assertThat(degraded("full").getStatus()).isEqualTo("True");
            assertThat(cluster.events("full")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("QuotaExceeded"));
            assertThat(phase(cluster.task("full-plan"))).isEqualTo(TaskPhase.Pending);
        });

        clock.advance(PROBE_INTERVAL.plusSeconds(1));
        await().untilAsserted(() -> assertThat(cluster.task("full-plan").getStatus().message)
                .contains("to probe the destination (S3_QUOTA_EXCEEDED)"));
        clock.advance(Duration.ofSeconds(1));
        cluster.writeAsWorker("full-plan", status -> {
            status.phase = TaskPhase.Running;
            status.progressTime = clock.instant().toString();
            return status;
        });
        await().untilAsserted(() -> {
            assertThat(condition("full", Conditions.QUOTA_EXCEEDED).getStatus()).isEqualTo("False");
            assertThat(degraded("full").getStatus()).isEqualTo("False");
        });
        assertThat(cluster.task("full-plan").getStatus().attemptsOrZero()).isZero();
    }

    /** What a worker writes when the store as a whole refuses it: Pending, the error, no attempt used. */
    private MigrationTaskStatus handedBack(MigrationTaskStatus status, String code, String message) {
        status.phase = TaskPhase.Pending;
        status.message = code + ": " + message;
        status.storeError = new MigrationTaskStatus.StoreError();
        status.storeError.code = code;
        status.storeError.message = message;
        status.storeError.time = clock.instant().toString();
        return status;
    }

    private static MigrationTaskStatus planned(MigrationTaskStatus status) {
        status.phase = TaskPhase.Succeeded;
        status.progress = new MigrationTaskStatus.Progress();
        status.progress.total = 4L;
        status.progress.totalBytes = 400L;
        status.progress.tasksCreated = 4;
        return status;
    }

    private List<String> held(List<String> names) {
        return names.stream().filter(name -> phase(cluster.task(name)).isHeld()).toList();
    }

    private Condition degraded(String job) {
        return condition(job, Conditions.DEGRADED);
    }

    private Condition condition(String job, String type) {
        MigrationJob read = cluster.job(job);
        assertThat(read.getStatus()).isNotNull();
        return Conditions.find(read.getStatus().conditions, type).orElseThrow(() -> new AssertionError("no " + type + " condition"));
    }

    private static TaskPhase phase(MigrationTask task) {
        return task.getStatus() == null || task.getStatus().phase == null ? TaskPhase.Pending : task.getStatus().phase;
    }
}
