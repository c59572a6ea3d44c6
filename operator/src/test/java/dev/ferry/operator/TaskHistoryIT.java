package dev.ferry.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FileEntry;
import dev.ferry.api.FileFailure;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.testing.AuditedClient;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Folding finished tasks into the job's history against the Fabric8 mock API server in CRUD mode: the
 * window of task objects stays bounded while the job's counters stay exact, also across a change of
 * leader in the middle of a fold. The test plays the kubelet (Ready pods) and the workers (task writes).
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class TaskHistoryIT {
    KubernetesMockServer server;
    KubernetesClient client;

    private final MutableClock clock = new MutableClock(Instant.now());
    private Cluster cluster;
    private FerryOperator operator;
    /** The operators' own client: what they call is held against the chart's RBAC rules after each test. */
    private KubernetesClient operatorClient;
    private final List<Watch> watches = new ArrayList<>();

    @BeforeEach
    void startOperator() throws InterruptedException {
        cluster = new Cluster(client);
        cluster.installCrds();
        cluster.runAuditsThatPass();
        cluster.createClaimAndSecret();
        AuditedClient.drain(server, "operator");
        operatorClient = AuditedClient.of(client, "operator");
        operator = startAnOperator();
    }

    private FerryOperator startAnOperator() {
        return FerryOperator.start(operatorClient, OperatorSettings.defaults()
                .withClock(clock)
                .withExitOnStopLeading(false)
                .withWorkerImage("ferry/worker:test")
                .withPrefetchPerWorker(2)
                .withLeaseStartupGrace(Duration.ofDays(1))
                .withRecheckInterval(Duration.ofMillis(300)));
    }

    @AfterEach
    void stopOperatorAndAuditItsCalls() throws InterruptedException {
        cluster.stopAudits();
        watches.forEach(Watch::close);
        if (operator != null) {
            operator.close();
        }
        operatorClient.close();
        AuditedClient.assertTheChartAllowsWhatItCalled(server, "operator");
    }

    @Test
    void foldsSucceededTasksBeyondTheHistoryLimitAndKeepsTheCountersExact() {
        MigrationJob job = cluster.createJob("bulk", spec -> {
            spec.tasks = new TasksSpec();
            spec.tasks.historyLimit = 2;
        });
        await().untilAsserted(() -> assertThat(cluster.tasks("bulk")).hasSize(1));
        cluster.startWorkerPod("bulk", "w1", true, clock.instant());
        cluster.startWorkerPod("bulk", "w2", true, clock.instant());
        await().untilAsserted(() -> assertThat(phase(cluster.task("bulk-plan"))).isEqualTo(TaskPhase.Assigned));
        for (int n = 1; n <= 8; n++) {
            cluster.createCopyTask(job, "bulk-plan-%05d".formatted(n), new FileEntry("f" + n, 100, 1_700_000_000_000L));
        }
        cluster.writeAsWorker("bulk-plan", status -> planned(status, 8, 800, 8, clock.instant()));
        List<Long> copiedAsWritten = copiedAsWritten("bulk");

        // The workers finish the copies one by one; after each, the counters are exact — never a task
        // counted twice, although the older ones are folded and deleted meanwhile.
        for (int done = 1; done <= 8; done++) {
            String next = awaitAnAssignedCopy();
            clock.advance(Duration.ofSeconds(1));
            cluster.writeAsWorker(next, status -> succeeded(status, clock.instant()));
            int copied = done;
            await().untilAsserted(() -> {
                MigrationJobStatus status = cluster.job("bulk").getStatus();
                assertThat(status.files.copied).isEqualTo(copied);
                assertThat(status.bytes.copied).isEqualTo(copied * 100L);
                assertThat(status.files.total).isEqualTo(8);
                assertThat(status.tasks.succeeded).isEqualTo(copied + 1);
            });
        }

        await().untilAsserted(() -> {
            MigrationJobStatus status = cluster.job("bulk").getStatus();
            assertThat(status.phase).isEqualTo(JobPhase.Succeeded);
            assertThat(status.files.total).isEqualTo(8);
            assertThat(status.files.copied).isEqualTo(8);
            assertThat(status.bytes.total).isEqualTo(800);
            assertThat(status.tasks.succeeded).isEqualTo(9);
            assertThat(status.history.folded.tasks).as("9 Succeeded, 2 kept").isEqualTo(7);
            assertThat(status.history.folded.plans).as("the root plan is folded with its totals").isEqualTo(1);
            assertThat(status.history.deleting).isNull();
            assertThat(cluster.workTasks("bulk")).hasSize(2).allSatisfy(t -> assertThat(phase(t)).isEqualTo(TaskPhase.Succeeded));
        });
        // Every status the operator wrote, not just the ones polled: a task counted twice, even for one
        // write, would show as a count that goes down again.
        assertThat(copiedAsWritten).isSorted().last().isEqualTo(8L);
    }

    @Test
    void foldsTasksWithFailedFilesWithoutLosingThemFromTheJobsReport() {
        MigrationJob job = cluster.createJob("lossy", spec -> {
            spec.tasks = new TasksSpec();
            spec.tasks.historyLimit = 0;
        });
        await().untilAsserted(() -> assertThat(cluster.tasks("lossy")).hasSize(1));
        cluster.startWorkerPod("lossy", "w1", true, clock.instant());
        cluster.startWorkerPod("lossy", "w2", true, clock.instant());
        await().untilAsserted(() -> assertThat(phase(cluster.task("lossy-plan"))).isEqualTo(TaskPhase.Assigned));
        for (int n = 1; n <= 3; n++) {
            cluster.createCopyTask(job, "lossy-plan-%05d".formatted(n), new FileEntry("f" + n, 100, 1_700_000_000_000L),
                    new FileEntry("bad" + n, 100, 1_700_000_000_000L));
        }
        cluster.writeAsWorker("lossy-plan", status -> planned(status, 6, 600, 3, clock.instant()));
        List<Long> failedAsWritten = failedAsWritten("lossy");

        // Each task copies one file and reports the other: Succeeded with a failure, folded at once (limit 0).
        for (int n = 1; n <= 3; n++) {
            String name = "lossy-plan-%05d".formatted(n);
            await().untilAsserted(() -> assertThat(phase(cluster.task(name))).isEqualTo(TaskPhase.Assigned));
            clock.advance(Duration.ofSeconds(1));
            String bad = "bad" + n;
            cluster.writeAsWorker(name, status -> {
                succeeded(status, clock.instant());
                status.progress.failed = 1;
                status.progress.files = 2;
                status.failures = List.of(new FileFailure(bad, "SOURCE_CHANGED", "changed while read, twice"));
                return status;
            });
        }

        await().untilAsserted(() -> {
            MigrationJobStatus status = cluster.job("lossy").getStatus();
            assertThat(status.phase).isEqualTo(JobPhase.Failed);
            assertThat(status.history.folded.tasks).as("every task, the plan too").isEqualTo(4);
            assertThat(status.history.deleting).isNull();
            assertThat(cluster.workTasks("lossy")).isEmpty();
            assertThat(status.files.total).isEqualTo(6);
            assertThat(status.files.copied).isEqualTo(3);
            assertThat(status.files.failed).isEqualTo(3);
            assertThat(status.failures).extracting(f -> f.path).containsExactlyInAnyOrder("bad1", "bad2", "bad3");
        });
        assertThat(failedAsWritten).as("never a failed file lost or counted twice, in any status written").isSorted()
                .last().isEqualTo(3L);
    }

    @Test
    void aNewLeaderFinishesAnInterruptedFoldWithoutCountingTwice() {
        MigrationJob job = cluster.createJob("relay", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("relay")).hasSize(1));
        cluster.startWorkerPod("relay", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(phase(cluster.task("relay-plan"))).isEqualTo(TaskPhase.Assigned));
        for (int n = 1; n <= 3; n++) {
            cluster.createCopyTask(job, "relay-plan-%05d".formatted(n), new FileEntry("f" + n, 100, 1_700_000_000_000L));
        }
        cluster.writeAsWorker("relay-plan", status -> planned(status, 3, 300, 3, clock.instant()));
        for (String name : List.of("relay-plan-00001", "relay-plan-00002")) {
            await().untilAsserted(() -> assertThat(phase(cluster.task(name))).isEqualTo(TaskPhase.Assigned));
            cluster.writeAsWorker(name, status -> succeeded(status, clock.instant()));
        }
        await().untilAsserted(() -> assertThat(cluster.job("relay").getStatus().files.copied).isEqualTo(2));

        // The leader dies right after step 1 of a fold: both tasks are counted in the history and named in
        // deleting, but still exist.
        operator.close();
        operator = null;
        MigrationJob read = cluster.job("relay");
        MigrationJob folding = Serialization.clone(read);
        folding.getStatus().history = new MigrationJobStatus.TaskHistory();
        folding.getStatus().history.folded.tasks = 2;
        folding.getStatus().history.folded.files.copied = 2;
        folding.getStatus().history.folded.bytes.copied = 200;
        folding.getStatus().history.deleting = List.of("relay-plan-00001", "relay-plan-00002");
        client.resources(MigrationJob.class).inNamespace(Cluster.NAMESPACE).resource(folding)
                .lockResourceVersion(read.getMetadata().getResourceVersion()).updateStatus();

        List<Long> copiedAsWritten = copiedAsWritten("relay");
        operator = startAnOperator();

        await().untilAsserted(() -> {
            assertThat(cluster.task("relay-plan-00001")).isNull();
            assertThat(cluster.task("relay-plan-00002")).isNull();
            assertThat(cluster.job("relay").getStatus().history.deleting).isNull();
        });
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            MigrationJobStatus status = cluster.job("relay").getStatus();
            assertThat(status.files.copied).isEqualTo(2);
            assertThat(status.tasks.succeeded).isEqualTo(3);
            assertThat(status.history.folded.tasks).isEqualTo(2);
        });

        assertThat(copiedAsWritten).as("every status the new leader wrote").isNotEmpty().containsOnly(2L);

        await().untilAsserted(() -> assertThat(phase(cluster.task("relay-plan-00003"))).isEqualTo(TaskPhase.Assigned));
        cluster.writeAsWorker("relay-plan-00003", status -> succeeded(status, clock.instant()));
        await().untilAsserted(() -> {
            MigrationJobStatus status = cluster.job("relay").getStatus();
            assertThat(status.phase).as("total = copied: nothing counted twice").isEqualTo(JobPhase.Succeeded);
            assertThat(status.files.copied).isEqualTo(3);
            assertThat(status.bytes.copied).isEqualTo(300);
        });
    }

    /** files.failed of every version of the job's status from now on, in the order they were written. */
    private List<Long> failedAsWritten(String job) {
        List<Long> failed = new CopyOnWriteArrayList<>();
        watches.add(client.resources(MigrationJob.class).inNamespace(Cluster.NAMESPACE).withName(job).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, MigrationJob resource) {
                if (resource.getStatus() != null && resource.getStatus().files != null) {
                    failed.add(resource.getStatus().files.failed);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        }));
        return failed;
    }

    /** files.copied of every version of the job's status from now on, in the order they were written. */
    private List<Long> copiedAsWritten(String job) {
        List<Long> copied = new CopyOnWriteArrayList<>();
        watches.add(client.resources(MigrationJob.class).inNamespace(Cluster.NAMESPACE).withName(job).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, MigrationJob resource) {
                if (resource.getStatus() != null && resource.getStatus().files != null) {
                    copied.add(resource.getStatus().files.copied);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        }));
        return copied;
    }

    private String awaitAnAssignedCopy() {
        String[] found = new String[1];
        await().untilAsserted(() -> {
            Optional<MigrationTask> assigned = cluster.tasks("bulk").stream()
                    .filter(t -> !t.getMetadata().getName().equals("bulk-plan"))
                    .filter(t -> phase(t) == TaskPhase.Assigned)
                    .findFirst();
            assertThat(assigned).isPresent();
            found[0] = assigned.get().getMetadata().getName();
        });
        return found[0];
    }

    private static TaskPhase phase(MigrationTask task) {
        return task.getStatus() == null || task.getStatus().phase == null ? TaskPhase.Pending : task.getStatus().phase;
    }

    /** A one-file copy task's final write: Succeeded, one file of 100 bytes copied. */
    private static MigrationTaskStatus succeeded(MigrationTaskStatus status, Instant now) {
        status.phase = TaskPhase.Succeeded;
        status.heartbeat = now.toString();
        status.progress = new MigrationTaskStatus.Progress();
        status.progress.copied = 1;
        status.progress.files = 1;
        status.progress.bytes = 100;
        return status;
    }

    private static MigrationTaskStatus planned(MigrationTaskStatus status, long files, long bytes, int tasks, Instant now) {
        status.phase = TaskPhase.Succeeded;
        status.heartbeat = now.toString();
        status.progress = new MigrationTaskStatus.Progress();
        status.progress.total = files;
        status.progress.totalBytes = bytes;
        status.progress.tasksCreated = tasks;
        return status;
    }
}
