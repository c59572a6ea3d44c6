package dev.ferry.operator;

import static dev.ferry.operator.TestObjects.planned;
import static dev.ferry.operator.TestObjects.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.FileFailure;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.testing.AuditedClient;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator against the Fabric8 mock API server in CRUD mode. The test plays the kubelet (worker
 * pods and their readiness) and the workers (task status writes).
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class MigrationJobReconcilerIT {
    private static final Duration GRACE = Duration.ofSeconds(30);

    KubernetesMockServer server;
    KubernetesClient client;

    private final MutableClock clock = new MutableClock(Instant.now());
    private Cluster cluster;
    private FerryOperator operator;

    /** The operator's own client: what it calls is held against the chart's RBAC rules after each test. */
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
                .withWorkerServiceAccount("ferry-worker")
                .withPrefetchPerWorker(2)
                .withNotReadyGrace(GRACE)
                // These tests play no worker Leases (WorkerLivenessIT does): a start-up grace that
                // outlasts every clock advance keeps their Ready workers alive without one.
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
    void createsOneRootPlanTaskForANewJob() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("photos", spec -> spec.workers.replicas = 3);

        await().untilAsserted(() -> {
            assertThat(cluster.tasks("photos")).extracting(t -> t.getMetadata().getName()).containsExactly("photos-plan");
            assertThat(cluster.job("photos").getStatus().phase).isEqualTo(JobPhase.Planning);
        });
        MigrationTask plan = cluster.task("photos-plan");
        assertThat(plan.getSpec().type).isEqualTo(TaskType.Plan);
        assertThat(plan.getSpec().plan.directory).isEmpty();
        assertThat(plan.getSpec().jobName).isEqualTo("photos");
        assertThat(plan.getMetadata().getLabels())
                .containsEntry(Ferry.JOB_LABEL, "photos")
                .containsEntry(Ferry.TASK_TYPE_LABEL, "Plan");
        assertThat(plan.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getUid()).isEqualTo(job.getMetadata().getUid());
            assertThat(owner.getController()).isTrue();
            assertThat(owner.getBlockOwnerDeletion()).isTrue();
        });

        MigrationJob started = cluster.job("photos");
        assertThat(started.getStatus().startTime).isNotNull();
        assertThat(condition(started, Conditions.DEGRADED)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("WorkersUnavailable");
        });

        Deployment workers = cluster.deployment("photos-worker");
        assertThat(workers.getSpec().getReplicas()).isEqualTo(3);
        assertThat(workers.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(job.getMetadata().getUid()));
        assertThat(workers.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(Map.of(
                Ferry.APP_NAME_LABEL, "ferry", Ferry.APP_INSTANCE_LABEL, "photos", Ferry.COMPONENT_LABEL, "worker",
                Ferry.MANAGED_BY_LABEL, "ferry-operator", Ferry.JOB_LABEL, "photos"));
        Container container = workers.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getName()).isEqualTo("worker");
        assertThat(container.getImage()).isEqualTo("ferry/worker:test");
        Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get("FERRY_JOB").getValue()).isEqualTo("photos");
        assertThat(env.get("FERRY_SOURCE_ROOT").getValue()).isEqualTo("/mnt/source");
        assertThat(env.get("POD_UID").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.uid");
        // Credentials come from the job's Secret through the kubelet, never copied into the Deployment.
        for (String key : List.of(Ferry.SECRET_ACCESS_KEY_ID, Ferry.SECRET_SECRET_ACCESS_KEY, Ferry.SECRET_SESSION_TOKEN)) {
            assertThat(env.get(key).getValue()).as(key).isNull();
            assertThat(env.get(key).getValueFrom().getSecretKeyRef()).as(key).satisfies(ref -> {
                assertThat(ref.getName()).isEqualTo(Cluster.SECRET);
                assertThat(ref.getKey()).isEqualTo(key);
                assertThat(ref.getOptional()).isEqualTo(key.equals(Ferry.SECRET_SESSION_TOKEN));
            });
        }
        assertThat(workers.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("ferry-worker");
        assertThat(container.getVolumeMounts()).filteredOn(m -> m.getName().equals("source")).singleElement()
                .satisfies(m -> {
                    assertThat(m.getMountPath()).isEqualTo("/mnt/source");
                    assertThat(m.getReadOnly()).isTrue();
                });
        assertThat(workers.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("source"))
                .singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data"));

        // Later reconciles (the job's status changes, pods come and go) create nothing twice.
        cluster.startWorkerPod("photos", "photos-worker-a", false, clock.instant());
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster.tasks("photos")).hasSize(1));
    }

    @Test
    void assignsPendingTasksToReadyWorkers() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("logs", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("logs")).hasSize(1));

        cluster.startWorkerPod("logs", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("logs-plan"))).contains("w1"));
        // The plan does not take one of w1's two copies: it gets two beside the plan.
        cluster.createCopyTask(job, "logs-plan-00001", file("a"));
        await().untilAsserted(() -> assertThat(holder(cluster.task("logs-plan-00001"))).contains("w1"));
        cluster.createCopyTask(job, "logs-plan-00002", file("b"));
        await().untilAsserted(() -> assertThat(holder(cluster.task("logs-plan-00002"))).contains("w1"));

        // w1 holds its prefetch: the next copies go to w2 once the operator sees it. (Which of two workers
        // with room gets a task is TaskAssignerTest's: here, a worker the operator has not seen yet cannot
        // lose a task to one it has.)
        cluster.startWorkerPod("logs", "w2", true, clock.instant());
        cluster.createCopyTask(job, "logs-plan-00003", file("c"));
        await().untilAsserted(() -> assertThat(holder(cluster.task("logs-plan-00003"))).contains("w2"));
        cluster.createCopyTask(job, "logs-plan-00004", file("d"));
        await().untilAsserted(() -> assertThat(holder(cluster.task("logs-plan-00004"))).contains("w2"));
        // Both workers hold their prefetch of two copies: the fifth waits.
        cluster.createCopyTask(job, "logs-plan-00005", file("e"));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(phase(cluster.task("logs-plan-00005"))).isEqualTo(TaskPhase.Pending));

        String w1 = cluster.podUid("w1");
        for (MigrationTask task : cluster.tasks("logs").subList(0, 5)) {
            MigrationTaskStatus.Assignment assignment = task.getStatus().assignment;
            assertThat(task.getStatus().phase).isEqualTo(TaskPhase.Assigned);
            assertThat(assignment.epoch).as("first hand-out of %s", task.getMetadata().getName()).isEqualTo(1L);
            assertThat(assignment.since).isEqualTo(clock.instant().toString());
            assertThat(assignment.podUid).isEqualTo(cluster.podUid(assignment.worker));
        }
        assertThat(cluster.task("logs-plan").getStatus().assignment.podUid).isEqualTo(w1);

        // When a worker finishes one, the waiting task goes to it.
        cluster.writeAsWorker("logs-plan-00002", status -> succeeded(status, 1, 0, 10));
        await().untilAsserted(() -> assertThat(holder(cluster.task("logs-plan-00005"))).contains("w1"));
    }

    @Test
    void reassignsTasksOfADeletedWorker() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("videos", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("videos")).hasSize(1));
        cluster.startWorkerPod("videos", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("videos-plan"))).contains("w1"));
        cluster.createCopyTask(job, "videos-plan-00001", file("x"));
        cluster.createCopyTask(job, "videos-plan-00002", file("y"));
        await().untilAsserted(() -> assertThat(cluster.tasks("videos")).allSatisfy(task ->
                assertThat(holder(task)).contains("w1")));
        // w1 holds its prefetch, so the next copy can only go to w2, however late the operator sees it.
        cluster.startWorkerPod("videos", "w2", true, clock.instant());
        cluster.createCopyTask(job, "videos-plan-00003", file("z"));
        await().untilAsserted(() -> assertThat(holder(cluster.task("videos-plan-00003"))).contains("w2"));
        cluster.writeAsWorker("videos-plan", status -> {
            status.phase = TaskPhase.Running;
            status.progress = new MigrationTaskStatus.Progress();
            status.progress.checkpoint = "dir/file-0042";
            return status;
        });
        // The operator has seen the holder's write before the holder goes (DisruptionIT says why).
        await().untilAsserted(() -> assertThat(cluster.job("videos").getStatus().tasks.running).isEqualTo(1));

        cluster.deletePod("w1");

        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("videos-plan");
            assertThat(holder(plan)).contains("w2");
            assertThat(plan.getStatus().phase).isEqualTo(TaskPhase.Assigned);
            // taken back (epoch 2), then handed out again (epoch 3); w1 held it only briefly: a takeback, no attempt
            assertThat(plan.getStatus().assignment.epoch).isEqualTo(3L);
            assertThat(plan.getStatus().attempts).isZero();
            assertThat(plan.getStatus().takebacks).isEqualTo(1);
            assertThat(plan.getStatus().progress.checkpoint).as("progress survives the hand-over").isEqualTo("dir/file-0042");
        });
        MigrationTask untouched = cluster.task("videos-plan-00003");
        assertThat(untouched.getStatus().assignment.epoch).isEqualTo(1L);
        assertThat(untouched.getStatus().attempts).isZero();
    }

    @Test
    void doesNotAssignToWorkersThatAreNotReady() {
        cluster.createClaimAndSecret();
        cluster.createJob("scans", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("scans")).hasSize(1));

        cluster.startWorkerPod("scans", "w1", false, clock.instant());
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(phase(cluster.task("scans-plan"))).isEqualTo(TaskPhase.Pending);
            assertThat(condition(cluster.job("scans"), Conditions.DEGRADED).getReason()).isEqualTo("WorkersUnavailable");
        });

        cluster.setReady("w1", true, clock.instant());
        await().untilAsserted(() -> {
            assertThat(holder(cluster.task("scans-plan"))).contains("w1");
            assertThat(condition(cluster.job("scans"), Conditions.DEGRADED).getStatus()).isEqualTo("False");
        });

        // A worker that stops being Ready keeps its task through the grace, and loses it after.
        Pod notReady = cluster.setReady("w1", false, clock.instant());
        // A readiness change is timed when the operator sees it: move its clock only after that.
        await().until(() -> operator.readinessChanges().hasSeen(notReady));
        clock.advance(GRACE.minusSeconds(1));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster.task("scans-plan").getStatus().assignment.epoch).isEqualTo(1L));
        clock.advance(Duration.ofSeconds(2));
        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("scans-plan");
            assertThat(plan.getStatus().phase).isEqualTo(TaskPhase.Pending);
            assertThat(plan.getStatus().assignment.epoch).isEqualTo(2L);
            assertThat(plan.getStatus().assignment.podUid).isNull();
            assertThat(plan.getStatus().message).contains("not been Ready");
        });
    }

    @Test
    void failsATaskAfterMaxAttempts() {
        cluster.createClaimAndSecret();
        cluster.createJob("mail", spec -> {
            spec.tasks = new TasksSpec();
            spec.tasks.maxAttempts = 2;
        });
        await().untilAsserted(() -> assertThat(cluster.tasks("mail")).hasSize(1));
        cluster.startWorkerPod("mail", "w1", true, clock.instant());

        for (int attempt = 1; attempt <= 2; attempt++) {
            long epoch = attempt;
            // (an AssertionError, not a NullPointerException, while the task is not yet assigned: await retries only the former)
            await().untilAsserted(() -> assertThat(cluster.task("mail-plan").getStatus().assignment)
                    .isNotNull().extracting(a -> a.epoch).isEqualTo(epoch));
            Instant retryAt = clock.instant().plusSeconds(20);
            cluster.writeAsWorker("mail-plan", status -> retryLater(status, retryAt, "S3 unreachable"));
            if (attempt == 1) {
                // backing off: not handed out before notBefore
                await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(phase(cluster.task("mail-plan"))).isEqualTo(TaskPhase.Pending));
                clock.advance(Duration.ofSeconds(21));
            }
        }
        clock.advance(Duration.ofSeconds(21));

        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("mail-plan");
            assertThat(plan.getStatus().phase).isEqualTo(TaskPhase.Failed);
            assertThat(plan.getStatus().message).contains("gave up after 2 attempts").contains("S3 unreachable");
            MigrationJob job = cluster.job("mail");
            assertThat(job.getStatus().phase).isEqualTo(JobPhase.Failed);
            assertThat(condition(job, Conditions.READY).getMessage()).contains("planning failed in mail-plan")
                    .as("in the plan's own words").contains("(mail-plan: gave up after 2 attempts").contains("S3 unreachable");
            // the failure report names what was left: here the whole source directory of the plan
            assertThat(job.getStatus().failures).singleElement().satisfies(f -> {
                assertThat(f.path).isEqualTo("/");
                assertThat(f.code).isEqualTo("TASK_FAILED");
                assertThat(f.message).contains("gave up after 2 attempts");
            });
        });
        await().untilAsserted(() -> assertThat(cluster.deployment("mail-worker").getSpec().getReplicas()).isZero());
    }

    @Test
    void marksTheJobSucceededWhenEveryTaskSucceededAndCountsAddUp() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("docs", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("docs")).hasSize(1));
        cluster.startWorkerPod("docs", "w1", true, clock.instant());
        cluster.startWorkerPod("docs", "w2", true, clock.instant());
        await().untilAsserted(() -> assertThat(phase(cluster.task("docs-plan"))).isEqualTo(TaskPhase.Assigned));

        // The planning worker creates two copy tasks, then finishes the plan: 3 files, 300 bytes.
        cluster.createCopyTask(job, "docs-plan-00001", file("a"), file("b"));
        cluster.createCopyTask(job, "docs-plan-00002", file("c"));
        cluster.writeAsWorker("docs-plan", status -> planned(status, 3, 300, 2));
        await().untilAsserted(() -> assertThat(cluster.job("docs").getStatus().planned).isTrue());
        assertThat(cluster.job("docs").getStatus().phase).isIn(JobPhase.Running);

        await().untilAsserted(() -> assertThat(cluster.tasks("docs")).allSatisfy(t ->
                assertThat(phase(t)).isIn(TaskPhase.Assigned, TaskPhase.Succeeded)));
        cluster.writeAsWorker("docs-plan-00001", status -> succeeded(status, 2, 0, 200));
        cluster.writeAsWorker("docs-plan-00002", status -> succeeded(status, 0, 1, 0));

        await().untilAsserted(() -> {
            MigrationJob done = cluster.job("docs");
            assertThat(done.getStatus().phase).isEqualTo(JobPhase.Succeeded);
            assertThat(done.getStatus().files.total).isEqualTo(3);
            assertThat(done.getStatus().files.copied).isEqualTo(2);
            assertThat(done.getStatus().files.skipped).isEqualTo(1);
            assertThat(done.getStatus().files.failed).isZero();
            assertThat(done.getStatus().bytes.total).isEqualTo(300);
            assertThat(done.getStatus().bytes.copied).isEqualTo(200);
            assertThat(done.getStatus().tasks.succeeded).isEqualTo(3);
            assertThat(done.getStatus().progress).isEqualTo("100%");
            assertThat(done.getStatus().completionTime).isNotNull();
            assertThat(done.getStatus().observedGeneration).isEqualTo(done.getMetadata().getGeneration());
            assertThat(condition(done, Conditions.READY)).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("Succeeded");
            });
            assertThat(condition(done, Conditions.PROGRESSING).getStatus()).isEqualTo("False");
        });
        await().untilAsserted(() -> {
            assertThat(cluster.deployment("docs-worker").getSpec().getReplicas()).isZero();
            assertThat(cluster.events("docs")).extracting(e -> e.getReason()).contains("Planning", "Running", "Succeeded");
        });
    }

    @Test
    void marksTheJobFailedWhenAFileFailed() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("tmp", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("tmp")).hasSize(1));
        cluster.startWorkerPod("tmp", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(phase(cluster.task("tmp-plan"))).isEqualTo(TaskPhase.Assigned));
        cluster.createCopyTask(job, "tmp-plan-00001", file("ok"), file("locked"));
        cluster.writeAsWorker("tmp-plan", status -> planned(status, 2, 200, 1));
        await().untilAsserted(() -> assertThat(phase(cluster.task("tmp-plan-00001"))).isEqualTo(TaskPhase.Assigned));

        cluster.writeAsWorker("tmp-plan-00001", status -> {
            succeeded(status, 1, 0, 100);
            status.phase = TaskPhase.Failed;
            status.progress.failed = 1;
            status.progress.files = 2;
            status.failures = List.of(new FileFailure("locked", "ACCESS_DENIED", "permission denied"));
            return status;
        });

        await().untilAsserted(() -> {
            MigrationJob done = cluster.job("tmp");
            assertThat(done.getStatus().phase).isEqualTo(JobPhase.Failed);
            assertThat(done.getStatus().files.failed).isEqualTo(1);
            assertThat(done.getStatus().failures).extracting(f -> f.path, f -> f.code)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("locked", "ACCESS_DENIED"));
            assertThat(condition(done, Conditions.READY)).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("Failed");
                assertThat(c.getMessage()).contains("1 file(s) failed");
            });
            assertThat(done.getStatus().completionTime).isNotNull();
        });
        await().untilAsserted(() -> assertThat(cluster.events("tmp"))
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("Failed");
                    assertThat(e.getType()).isEqualTo("Warning");
                }));
    }

    @Test
    void countsEveryFailedFileAndTheFilesOfATaskItGaveUpOnSoTheCountsAddUp() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("mixed", spec -> {
            spec.tasks = new TasksSpec();
            spec.tasks.maxAttempts = 1;
        });
        await().untilAsserted(() -> assertThat(cluster.tasks("mixed")).hasSize(1));
        cluster.startWorkerPod("mixed", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(phase(cluster.task("mixed-plan"))).isEqualTo(TaskPhase.Assigned));
        cluster.createCopyTask(job, "mixed-plan-00001", file("ok"), file("locked"));
        cluster.createCopyTask(job, "mixed-plan-00002", file("a"), file("b"), file("c"));
        cluster.writeAsWorker("mixed-plan", status -> planned(status, 5, 500, 2));
        await().untilAsserted(() -> assertThat(cluster.tasks("mixed")).allSatisfy(t ->
                assertThat(phase(t)).isIn(TaskPhase.Assigned, TaskPhase.Succeeded)));

        // One bad file does not sink its task: it is reported and the task Succeeds.
        cluster.writeAsWorker("mixed-plan-00001", status -> {
            succeeded(status, 1, 0, 100);
            status.progress.failed = 1;
            status.progress.files = 2;
            status.failures = List.of(new FileFailure("locked", "ACCESS_DENIED", "permission denied"));
            return status;
        });
        // The other copies a, then uses up its attempts on a task-level error: the operator gives up on b and c.
        cluster.writeAsWorker("mixed-plan-00002", status -> {
            running(status, "1");
            status.progress.copied = 1;
            status.progress.files = 1;
            status.progress.bytes = 100;
            return retryLater(status, clock.instant(), "S3_SERVER_ERROR: 500 InternalError");
        });

        await().untilAsserted(() -> {
            MigrationJob done = cluster.job("mixed");
            assertThat(done.getStatus().phase).isEqualTo(JobPhase.Failed);
            assertThat(done.getStatus().files.total).isEqualTo(5);
            assertThat(done.getStatus().files.copied).isEqualTo(2);
            assertThat(done.getStatus().files.failed).as("locked, and b and c left by the failed task").isEqualTo(3);
            assertThat(done.getStatus().files.total).isEqualTo(done.getStatus().files.done());
            assertThat(done.getStatus().failures).extracting(f -> f.path, f -> f.code).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("locked", "ACCESS_DENIED"),
                    org.assertj.core.groups.Tuple.tuple("b", "TASK_FAILED"),
                    org.assertj.core.groups.Tuple.tuple("c", "TASK_FAILED"));
            assertThat(condition(done, Conditions.READY).getMessage()).contains("3 file(s) failed")
                    .doesNotContain("do not add up");
        });
    }

    @Test
    void reportsInvalidSpecAsReadyFalseWithoutRetrying() {
        cluster.createJob("orphans", spec -> { }); // its credentials Secret does not exist

        await().untilAsserted(() -> assertThat(condition(cluster.job("orphans"), Conditions.READY)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("InvalidSpec");
            assertThat(c.getMessage()).contains("credentials Secret 's3-credentials' not found");
        }));
        String resourceVersion = cluster.job("orphans").getMetadata().getResourceVersion();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.job("orphans").getMetadata().getResourceVersion()).as("no rewrites").isEqualTo(resourceVersion);
            assertThat(cluster.events("orphans")).singleElement().satisfies(e -> assertThat(e.getReason()).isEqualTo("InvalidSpec"));
            assertThat(cluster.tasks("orphans")).isEmpty();
            assertThat(cluster.deployment("orphans-worker")).isNull();
        });

        // The user fixes it: the Secret appears and the job is edited, which starts it.
        cluster.createClaimAndSecret();
        client.resources(MigrationJob.class).inNamespace(Cluster.NAMESPACE).withName("orphans")
                .edit(j -> {
                    j.getSpec().workers.replicas = 1;
                    return j;
                });
        await().untilAsserted(() -> {
            assertThat(cluster.tasks("orphans")).hasSize(1);
            assertThat(condition(cluster.job("orphans"), Conditions.READY).getReason()).isEqualTo("Planning");
        });
    }

    @Test
    void suspendingAJobStopsAssignmentAndScalesWorkersToZero() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("reports", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("reports")).hasSize(1));
        cluster.startWorkerPod("reports", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("reports-plan"))).contains("w1"));
        assertThat(cluster.deployment("reports-worker").getSpec().getReplicas()).isEqualTo(2);
        // kubectl rollout restart marks the pod template; the operator's next update must not undo it
        client.apps().deployments().inNamespace(Cluster.NAMESPACE).withName("reports-worker")
                .edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editMetadata()
                        .addToAnnotations("kubectl.kubernetes.io/restartedAt", "2026-01-01T00:00:00Z")
                        .endMetadata().endTemplate().endSpec().build());

        setSuspend("reports", true);

        await().untilAsserted(() -> {
            MigrationJob suspended = cluster.job("reports");
            assertThat(suspended.getStatus().phase).isEqualTo(JobPhase.Suspended);
            assertThat(condition(suspended, Conditions.PROGRESSING)).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("Suspended");
            });
            assertThat(cluster.deployment("reports-worker").getSpec().getReplicas()).isZero();
            assertThat(cluster.deployment("reports-worker").getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("kubectl.kubernetes.io/restartedAt", "2026-01-01T00:00:00Z");
            assertThat(cluster.events("reports")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("Suspended");
                assertThat(e.getType()).isEqualTo("Normal");
            });
        });

        // w1 drains on SIGTERM and releases the plan; new work and a Ready worker appear: nothing is handed out.
        cluster.writeAsWorker("reports-plan", status -> released(running(status, "dir/file-0007")));
        cluster.createCopyTask(job, "reports-plan-00001", file("a"));
        cluster.startWorkerPod("reports", "w2", true, clock.instant());
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.tasks("reports")).hasSize(2)
                    .allSatisfy(t -> assertThat(phase(t)).isEqualTo(TaskPhase.Pending));
            assertThat(cluster.job("reports").getStatus().phase).isEqualTo(JobPhase.Suspended);
            assertThat(cluster.deployment("reports-worker").getSpec().getReplicas()).isZero();
        });
    }

    @Test
    void resumingASuspendedJobContinuesFromItsCheckpoints() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("archive", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("archive")).hasSize(1));
        cluster.startWorkerPod("archive", "w1", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("archive-plan"))).contains("w1"));
        cluster.createCopyTask(job, "archive-plan-00001", file("a"), file("b"), file("c"));
        await().untilAsserted(() -> assertThat(holder(cluster.task("archive-plan-00001"))).contains("w1"));
        cluster.writeAsWorker("archive-plan", status -> running(status, "dir/file-0042"));
        cluster.writeAsWorker("archive-plan-00001", status -> {
            running(status, "2");
            status.progress.copied = 2;
            status.progress.files = 2;
            status.progress.bytes = 200;
            return status;
        });

        setSuspend("archive", true);
        await().untilAsserted(() -> {
            assertThat(cluster.job("archive").getStatus().phase).isEqualTo(JobPhase.Suspended);
            assertThat(cluster.deployment("archive-worker").getSpec().getReplicas()).isZero();
        });
        // SIGTERM: w1 releases both tasks with their checkpoints, then its pod is gone.
        cluster.writeAsWorker("archive-plan", MigrationJobReconcilerIT::released);
        cluster.writeAsWorker("archive-plan-00001", MigrationJobReconcilerIT::released);
        cluster.deletePod("w1");
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cluster.tasks("archive")).allSatisfy(t -> {
                    assertThat(phase(t)).isEqualTo(TaskPhase.Pending);
                    assertThat(t.getStatus().attempts).as("released, not taken back: no attempt spent").isZero();
                }));

        setSuspend("archive", false);
        await().untilAsserted(() -> {
            assertThat(cluster.deployment("archive-worker").getSpec().getReplicas()).isEqualTo(2);
            assertThat(cluster.job("archive").getStatus().phase).isEqualTo(JobPhase.Planning);
            assertThat(condition(cluster.job("archive"), Conditions.PROGRESSING).getStatus()).isEqualTo("True");
        });
        cluster.startWorkerPod("archive", "w2", true, clock.instant());

        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("archive-plan");
            MigrationTask copy = cluster.task("archive-plan-00001");
            assertThat(holder(plan)).contains("w2");
            assertThat(holder(copy)).contains("w2");
            assertThat(plan.getStatus().assignment.epoch).as("second hand-out").isEqualTo(2L);
            assertThat(copy.getStatus().assignment.epoch).isEqualTo(2L);
            assertThat(plan.getStatus().progress.checkpoint).isEqualTo("dir/file-0042");
            assertThat(copy.getStatus().progress.checkpoint).isEqualTo("2");
            assertThat(copy.getStatus().progress.copied).isEqualTo(2);
        });
        assertThat(cluster.job("archive").getStatus().files.copied).isEqualTo(2);
    }

    @Test
    void deletesAFinishedJobAfterItsTtl() {
        cluster.createClaimAndSecret();
        MigrationJob job = cluster.createJob("old", spec -> spec.ttlSecondsAfterFinished = 60);
        await().untilAsserted(() -> assertThat(cluster.tasks("old")).hasSize(1));
        runOneFileToSuccess(job, "w1");

        // Not before the TTL has passed since completion.
        clock.advance(Duration.ofSeconds(59));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.job("old")).isNotNull();
            assertThat(cluster.tasks("old")).as("plan, copy and audit").hasSize(3);
            assertThat(cluster.deployment("old-worker")).isNotNull();
        });

        clock.advance(Duration.ofSeconds(2));
        await().untilAsserted(() -> {
            assertThat(cluster.job("old")).isNull();
            assertThat(cluster.tasks("old")).isEmpty();
            assertThat(cluster.deployment("old-worker")).isNull();
        });
    }

    @Test
    void aJobAppliedAgainUnderTheNameOfADeletedOneStartsAfreshOnceWhatTheFirstLeftIsGone() throws InterruptedException {
        cluster.createClaimAndSecret();
        MigrationJob first = cluster.createJob("books", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("books")).hasSize(1));
        runOneFileToSuccess(first, "w-old");

        // Deleted and applied again at once, to another prefix. This API server has no garbage collector: as a
        // real one that has not got to them yet, it keeps the first job's three tasks, its Deployment and its pod.
        client.resources(MigrationJob.class).inNamespace(Cluster.NAMESPACE).withName("books").delete();
        await().untilAsserted(() -> assertThat(cluster.job("books")).isNull());
        Thread.sleep(1_100); // creation times have seconds: the old pod's is earlier than the new job's
        MigrationJob second = cluster.createJob("books", spec -> spec.destination.prefix = "again");
        assertThat(second.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());

        // The old tasks and Deployment are deleted; while the old worker still runs, the job neither plans nor
        // starts a worker, and is not taken for finished (it was: the old Succeeded tasks were counted as its own).
        await().untilAsserted(() -> {
            assertThat(cluster.tasks("books")).isEmpty();
            assertThat(cluster.deployment("books-worker")).isNull();
            assertThat(cluster.events("books")).filteredOn(e -> second.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
                    .anySatisfy(e -> {
                        assertThat(e.getReason()).isEqualTo("EarlierJobLeftovers");
                        assertThat(e.getMessage()).contains("an earlier job named books");
                    });
        });
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.tasks("books")).isEmpty();
            assertThat(cluster.deployment("books-worker")).isNull();
            MigrationJob waiting = cluster.job("books");
            assertThat(waiting.getStatus() == null ? null : waiting.getStatus().phase).isNotIn(JobPhase.Succeeded, JobPhase.Failed);
        });

        cluster.deletePod("w-old"); // its kubelet stopped it

        await().untilAsserted(() -> {
            MigrationTask plan = cluster.task("books-plan");
            assertThat(plan.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(second.getMetadata().getUid()));
            assertThat(phase(plan)).isEqualTo(TaskPhase.Pending);
            assertThat(cluster.deployment("books-worker").getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(second.getMetadata().getUid()));
            assertThat(cluster.job("books").getStatus().phase).isEqualTo(JobPhase.Planning);
        });
        cluster.startWorkerPod("books", "w-new", true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task("books-plan"))).contains("w-new"));
    }

    @Test
    void aJobThatWouldWriteTheKeysOfARunningJobWaitsUntilThatJobIsDone() {
        cluster.createClaimAndSecret();
        MigrationJob photos = cluster.createJob("photos", spec -> spec.destination.prefix = "media");
        await().untilAsserted(() -> assertThat(cluster.tasks("photos")).hasSize(1));
        cluster.createJob("scans", spec -> spec.destination.prefix = "media/scans/");
        cluster.createJob("logs", spec -> spec.destination.prefix = "logs");

        // Inside the running job's prefix: no plan, no workers, Pending with the reason; another prefix starts.
        await().untilAsserted(() -> {
            MigrationJob scans = cluster.job("scans");
            assertThat(scans.getStatus().phase).isEqualTo(JobPhase.Pending);
            assertThat(condition(scans, Conditions.READY)).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("WaitingForOverlappingJob");
                assertThat(c.getMessage()).startsWith("waiting for " + Cluster.NAMESPACE
                        + "/photos (writes s3://archive/media, running) to finish");
            });
            assertThat(cluster.events("scans")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("WaitingForOverlappingJob"));
            assertThat(cluster.tasks("logs")).extracting(t -> t.getMetadata().getName()).containsExactly("logs-plan");
        });
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cluster.tasks("scans")).isEmpty();
            assertThat(cluster.deployment("scans-worker")).isNull();
            assertThat(cluster.job("scans").getStatus().startTime).isNull();
        });

        runOneFileToSuccess(photos, "w1");

        // The first job is done: the waiting one starts on its own.
        await().untilAsserted(() -> {
            assertThat(cluster.tasks("scans")).extracting(t -> t.getMetadata().getName()).containsExactly("scans-plan");
            MigrationJob scans = cluster.job("scans");
            assertThat(scans.getStatus().phase).isEqualTo(JobPhase.Planning);
            assertThat(condition(scans, Conditions.READY).getReason()).isNotEqualTo("WaitingForOverlappingJob");
            assertThat(cluster.deployment("scans-worker")).isNotNull();
        });
    }

    /** Plays a worker that plans one file and copies it, so the job (whose root plan exists) ends Succeeded. */
    private void runOneFileToSuccess(MigrationJob job, String worker) {
        String name = job.getMetadata().getName();
        cluster.startWorkerPod(name, worker, true, clock.instant());
        await().untilAsserted(() -> assertThat(holder(cluster.task(name + "-plan"))).contains(worker));
        cluster.createCopyTask(job, name + "-plan-00001", file("a"));
        cluster.writeAsWorker(name + "-plan", status -> planned(status, 1, 100, 1));
        await().untilAsserted(() -> assertThat(holder(cluster.task(name + "-plan-00001"))).contains(worker));
        cluster.writeAsWorker(name + "-plan-00001", status -> succeeded(status, 1, 0, 100));
        await().untilAsserted(() -> assertThat(cluster.job(name).getStatus().phase).isEqualTo(JobPhase.Succeeded));
    }

    /** The user's edit; a 409 (the operator wrote the status in between) is retried, as kubectl would. */
    private void setSuspend(String job, boolean suspend) {
        await().ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .untilAsserted(() -> client.resources(MigrationJob.class).inNamespace(Cluster.NAMESPACE).withName(job)
                        .edit(j -> {
                            j.getSpec().suspend = suspend;
                            return j;
                        }));
    }

    /** A worker's progress write: Running, with a checkpoint. */
    private static MigrationTaskStatus running(MigrationTaskStatus status, String checkpoint) {
        status.phase = TaskPhase.Running;
        if (status.progress == null) {
            status.progress = new MigrationTaskStatus.Progress();
        }
        status.progress.checkpoint = checkpoint;
        return status;
    }

    /** What a draining worker writes (worker-image PlanRunner/CopyRunner): Pending, progress and checkpoint kept. */
    private static MigrationTaskStatus released(MigrationTaskStatus status) {
        status.phase = TaskPhase.Pending;
        status.message = "released on worker shutdown";
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

    private static Condition condition(MigrationJob job, String type) {
        assertThat(job.getStatus()).isNotNull();
        return Conditions.find(job.getStatus().conditions, type).orElseThrow(() -> new AssertionError("no " + type + " condition"));
    }

    private static MigrationTaskStatus retryLater(MigrationTaskStatus status, Instant notBefore, String why) {
        status.phase = TaskPhase.Pending;
        status.attempts = status.attemptsOrZero() + 1;
        status.notBefore = notBefore.toString();
        status.message = why;
        return status;
    }
}
