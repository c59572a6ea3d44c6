package dev.ferry.operator;

import static dev.ferry.operator.TestObjects.planned;
import static dev.ferry.operator.TestObjects.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.AuditedClient;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.status.Conditions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs of a job after its first ({@code spec.schedule}, the annotation {@code ferry.dev/run-now}) against the Fabric8
 * mock API server in CRUD mode. The test plays the kubelet (worker pods, and their removal once the Deployment is scaled
 * to zero) and the workers (plans and copies); the clock is the test's, so a cron time comes when the test says.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class RecurringRunsIT {
    private static final Instant START = Instant.parse("2030-01-07T01:10:00Z");

    KubernetesMockServer server;
    KubernetesClient client;

    private final MutableClock clock = new MutableClock(START);
    private Cluster cluster;
    private FerryOperator operator;
    private KubernetesClient operatorClient;

    @BeforeEach
    void startOperator() throws InterruptedException {
        cluster = new Cluster(client);
        cluster.installCrds();
        cluster.runAuditsThatPass();
        AuditedClient.drain(server, "operator");
        operatorClient = AuditedClient.of(client, "operator");
        operator = FerryOperator.start(operatorClient, OperatorSettings.defaults()
                .withClock(clock)
                .withExitOnStopLeading(false)
                .withWorkerImage("ferry/worker:test")
                .withLeaseStartupGrace(Duration.ofDays(1))
                .withRecheckInterval(Duration.ofMillis(300)));
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
    void aScheduledJobRunsAgainAtItsNextCronTimeAsASyncWithFreshCounters() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("nightly", spec -> spec.schedule = "0 * * * *");

        runOnce(job, "w1", 3, 0);
        await().untilAsserted(() -> {
            MigrationJobStatus status = cluster.job("nightly").getStatus();
            assertThat(status.run).isEqualTo(1L);
            assertThat(status.runMode).isEqualTo(MigrationMode.Copy);
            assertThat(status.nextRunTime).as("the first hour after the run finished").isEqualTo("2030-01-07T02:00:00Z");
            assertThat(status.runs).singleElement().satisfies(run -> {
                assertThat(run.run).isEqualTo(1L);
                assertThat(run.mode).isEqualTo(MigrationMode.Copy);
                assertThat(run.phase).isEqualTo(JobPhase.Succeeded);
                assertThat(run.files.copied).isEqualTo(3);
                assertThat(run.startTime).isEqualTo(START.toString());
                assertThat(run.completionTime).isEqualTo(START.toString());
            });
            assertThat(Conditions.find(status.conditions, Conditions.SCHEDULED)).hasValueSatisfying(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getMessage()).contains("run 2 starts at 2030-01-07T02:00:00Z", "'0 * * * *' (UTC)");
            });
        });

        clock.advance(Duration.ofMinutes(49).plusSeconds(59)); // 01:59:59
        await().during(Duration.ofMillis(900)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.job("nightly").getStatus().run).isEqualTo(1L);
            assertThat(cluster.job("nightly").getStatus().phase).isEqualTo(JobPhase.Succeeded);
        });

        clock.advance(Duration.ofSeconds(2)); // 02:00:01
        await().untilAsserted(() -> {
            MigrationJob second = cluster.job("nightly");
            MigrationJobStatus status = second.getStatus();
            assertThat(status.run).isEqualTo(2L);
            assertThat(status.runMode).isEqualTo(MigrationMode.Sync);
            assertThat(status.phase).isEqualTo(JobPhase.Planning);
            assertThat(status.startTime).isEqualTo(clock.instant().toString());
            assertThat(status.completionTime).isNull();
            assertThat(status.nextRunTime).isNull();
            assertThat(status.files.total).isZero();
            assertThat(status.files.copied).isZero();
            assertThat(status.audit).isNull();
            assertThat(status.history).isNull();
            assertThat(status.runs).extracting(r -> r.run).containsExactly(1L);
            assertThat(Conditions.find(status.conditions, Conditions.VERIFIED)).isEmpty();
            // Run 1's copy and audit are gone before run 2's root plan exists.
            assertThat(cluster.tasks("nightly")).singleElement().satisfies(plan -> {
                assertThat(plan.getMetadata().getName()).isEqualTo("nightly-plan");
                assertThat(plan.getMetadata().getLabels()).containsEntry(Ferry.RUN_LABEL, "2");
                assertThat(phase(plan)).isEqualTo(TaskPhase.Pending);
            });
            assertThat(cluster.deployment("nightly-worker").getSpec().getReplicas()).isEqualTo(2);
        });

        // Run 2 finds the same files unchanged: a Sync skips them.
        runOnce(job, "w2", 0, 3);
        await().untilAsserted(() -> {
            MigrationJobStatus status = cluster.job("nightly").getStatus();
            assertThat(status.run).isEqualTo(2L);
            assertThat(status.files.total).isEqualTo(3);
            assertThat(status.files.skipped).as("run 2's own counters").isEqualTo(3);
            assertThat(status.files.copied).isZero();
            assertThat(status.runs).hasSizeLessThanOrEqualTo(MigrationJobStatus.RUNS_KEPT);
            assertThat(status.runs).extracting(r -> r.run).containsExactly(2L, 1L);
            assertThat(status.runs.get(0).mode).isEqualTo(MigrationMode.Sync);
            assertThat(status.runs.get(0).files.skipped).isEqualTo(3);
            assertThat(status.runs.get(1).files.copied).isEqualTo(3);
            assertThat(status.nextRunTime).isEqualTo("2030-01-07T03:00:00Z");
        });
    }

    @Test
    void theRunNowAnnotationStartsARunOfAFinishedJobWithoutAScheduleExactlyOnce() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("adhoc", spec -> { });
        runOnce(job, "w1", 3, 0);
        await().untilAsserted(() -> assertThat(cluster.job("adhoc").getStatus().runs).hasSize(1));
        MigrationJobStatus first = cluster.job("adhoc").getStatus();
        assertThat(first.nextRunTime).isNull();
        assertThat(Conditions.find(first.conditions, Conditions.SCHEDULED)).isEmpty();

        annotate("adhoc", "2030-01-07");
        await().untilAsserted(() -> {
            MigrationJobStatus status = cluster.job("adhoc").getStatus();
            assertThat(status.run).isEqualTo(2L);
            assertThat(status.lastRunNow).isEqualTo("2030-01-07");
            assertThat(status.runMode).isEqualTo(MigrationMode.Sync);
            assertThat(cluster.tasks("adhoc")).extracting(t -> t.getMetadata().getName()).containsExactly("adhoc-plan");
        });
        runOnce(job, "w2", 1, 2);
        await().untilAsserted(() -> assertThat(cluster.job("adhoc").getStatus().runs).extracting(r -> r.run)
                .containsExactly(2L, 1L));

        // The value started its run: it starts no other, however long the job waits.
        clock.advance(Duration.ofDays(1));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            MigrationJobStatus status = cluster.job("adhoc").getStatus();
            assertThat(status.run).isEqualTo(2L);
            assertThat(status.phase).isEqualTo(JobPhase.Succeeded);
            assertThat(status.files.copied).isEqualTo(1);
        });
    }

    /**
     * One run as the workers would do it: a worker pod starts, the root plan creates one Copy task of three files and
     * finishes, the copy ends with the given outcomes; the audit passes (Cluster). Once the job has finished and its
     * Deployment is scaled to zero, the pod goes, as the kubelet would remove it.
     */
    private void runOnce(MigrationJob job, String pod, long copied, long skipped) {
        String name = job.getMetadata().getName();
        await().untilAsserted(() -> assertThat(cluster.task(name + "-plan")).isNotNull());
        cluster.startWorkerPod(name, pod, true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task(name + "-plan"))).contains(pod));
        cluster.createCopyTask(job, name + "-plan-00001", file("a"), file("b"), file("c"));
        cluster.writeAsWorker(name + "-plan", status -> planned(status, 3, 300, 1));
        await().untilAsserted(() -> assertThat(holder(cluster.task(name + "-plan-00001"))).contains(pod));
        cluster.writeAsWorker(name + "-plan-00001", status -> succeeded(status, copied, skipped, copied * 100));
        await().untilAsserted(() -> {
            assertThat(cluster.job(name).getStatus().phase).isEqualTo(JobPhase.Succeeded);
            assertThat(cluster.deployment(name + "-worker").getSpec().getReplicas()).isZero();
        });
        cluster.deletePod(pod);
    }

    /** {@code kubectl annotate mj NAME ferry.dev/run-now=VALUE --overwrite}; a 409 is retried, as kubectl would. */
    private void annotate(String job, String value) {
        await().ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .untilAsserted(() -> client.resources(MigrationJob.class).inNamespace(Cluster.NAMESPACE).withName(job)
                        .edit(j -> {
                            var annotations = new HashMap<>(Optional.ofNullable(j.getMetadata().getAnnotations())
                                    .orElseGet(HashMap::new));
                            annotations.put(Ferry.RUN_NOW_ANNOTATION, value);
                            j.getMetadata().setAnnotations(annotations);
                            return j;
                        }));
    }

    private static FileEntry file(String path) {
        return new FileEntry(path, 100, 1_700_000_000_000L);
    }

    private static Optional<String> holder(MigrationTask task) {
        return Optional.ofNullable(task).map(MigrationTask::getStatus)
                .filter(s -> s.phase == TaskPhase.Assigned || s.phase == TaskPhase.Running)
                .map(s -> s.assignment).map(a -> a.worker);
    }

    private static TaskPhase phase(MigrationTask task) {
        return task.getStatus() == null || task.getStatus().phase == null ? TaskPhase.Pending : task.getStatus().phase;
    }
}
