package dev.ferry.worker;

import static dev.ferry.worker.testing.TestResources.NAMESPACE;
import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.AuditedClient;
import dev.ferry.api.testing.ChartRoles;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.config.WorkerConfig;
import dev.ferry.worker.testing.S3ProxyServer;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * The whole worker: informer, dispatch, plan, copy and audit, with the test playing the operator; and what
 * it calls on the API, held against the chart's worker role.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class WorkerIT {
    static final String JOB = "whole";
    KubernetesClient client;
    KubernetesMockServer server;

    @TempDir
    Path source;
    @TempDir
    Path blobs;
    S3ProxyServer s3;
    Worker worker;
    KubernetesClient workerClient;

    @BeforeEach
    void start() throws Exception {
        s3 = S3ProxyServer.start(blobs);
        s3.createBucket("whole");
        TestResources.createCredentials(client);
        MigrationJob job = TestResources.job(JOB, s3.endpoint(), "whole", "");
        job.getSpec().tasks.maxFiles = 10;
        // A second gateway that is down (nothing listens there): the worker copies through the other one
        // and says so on the job (EndpointDown).
        job.getSpec().destination.endpoints = List.of(s3.endpoint().toString(), "http://127.0.0.1:9");
        TestResources.create(client, job);
        AuditedClient.drain(server, "worker");
        workerClient = AuditedClient.of(client, "worker");
        // The credentials as a pod gets them, env from the Secret: the worker role may not read Secrets.
        worker = new Worker(new WorkerConfig(TestResources.POD_NAME, NAMESPACE, POD_UID, JOB, source, 3),
                workerClient, Clock.systemUTC(), Duration.ofSeconds(2),
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
        worker.start();
    }

    @AfterEach
    void stop() throws Exception {
        worker.close();
        workerClient.close();
        s3.close();
    }

    @Test
    void runsThePlanAndTheCopyTasksAssignedToItsPod() {
        IntStream.range(0, 25).forEach(i -> Trees.write(source, "dir/file-" + i + ".txt", ("content " + i).getBytes()));
        String plan = TestResources.createPlanTask(client, client.resources(MigrationJob.class).inNamespace(NAMESPACE)
                .withName(JOB).get(), "").getMetadata().getName();
        TestResources.assign(client, plan, POD_UID);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(TestResources.task(client, plan).getStatus().phase).isEqualTo(TaskPhase.Succeeded));
        List<String> copies = copyTasks().stream().map(t -> t.getMetadata().getName()).toList();
        assertThat(copies).hasSize(3);
        // a task of another pod of the job is left alone
        TestResources.assign(client, copies.get(2), "uid-of-another-pod");
        TestResources.assign(client, copies.get(0), POD_UID);
        TestResources.assign(client, copies.get(1), POD_UID);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(TestResources.task(client, copies.get(0)).getStatus().phase).isEqualTo(TaskPhase.Succeeded);
            assertThat(TestResources.task(client, copies.get(1)).getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        });
        assertThat(TestResources.task(client, copies.get(2)).getStatus().phase).isEqualTo(TaskPhase.Assigned);
        assertThat(s3.client().listObjectsV2(b -> b.bucket("whole")).contents())
                .filteredOn(o -> !o.key().startsWith(".ferry/")).as("the files, beside the job's state").hasSize(20);
    }

    @Test
    void leavesAloneATaskOfAnEarlierJobThatHadTheSameName() {
        Trees.write(source, "a.txt", "a".getBytes());
        MigrationJob job = client.resources(MigrationJob.class).inNamespace(NAMESPACE).withName(JOB).get();
        String plan = TestResources.createPlanTask(client, job, "").getMetadata().getName();
        // A task of a job of this name deleted since: its controller has another UID than the job read by name now.
        client.resources(MigrationTask.class).inNamespace(NAMESPACE).withName(plan).edit(task -> {
            task.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion(Ferry.API_VERSION)
                    .withKind("MigrationJob").withName(JOB).withUid("uid-of-the-earlier-job").withController(true).build()));
            return task;
        });
        TestResources.assign(client, plan, POD_UID);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(TestResources.task(client, plan).getStatus().phase).isEqualTo(TaskPhase.Running));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(TestResources.task(client, plan).getStatus().phase).as("claimed, then not run").isEqualTo(TaskPhase.Running);
            assertThat(copyTasks()).isEmpty();
        });
        assertThat(s3.client().listObjectsV2(b -> b.bucket("whole")).contents()).isEmpty();
    }

    @Test
    void callsNothingButWhatTheChartsWorkerRoleAllowsAndUsesAllOfIt() throws Exception {
        IntStream.range(0, 12).forEach(i -> Trees.write(source, "d/f-" + i + ".txt", ("content " + i).getBytes()));
        MigrationJob job = client.resources(MigrationJob.class).inNamespace(NAMESPACE).withName(JOB).get();
        String plan = TestResources.createPlanTask(client, job, "").getMetadata().getName();
        TestResources.assign(client, plan, POD_UID);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(TestResources.task(client, plan).getStatus().phase).isEqualTo(TaskPhase.Succeeded));
        for (MigrationTask copy : copyTasks()) {
            TestResources.assign(client, copy.getMetadata().getName(), POD_UID);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(copyTasks())
                .allSatisfy(t -> assertThat(t.getStatus().phase).isEqualTo(TaskPhase.Succeeded)));
        String audit = TestResources.createAuditTask(client, job).getMetadata().getName();
        TestResources.assign(client, audit, POD_UID);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(TestResources.task(client, audit).getStatus().phase).isEqualTo(TaskPhase.Succeeded));
        String lease = client.leases().inNamespace(NAMESPACE).withName(TestResources.POD_NAME).get().getMetadata()
                .getResourceVersion();
        await().atMost(Duration.ofSeconds(20)).until(() -> !lease.equals(client.leases().inNamespace(NAMESPACE)
                .withName(TestResources.POD_NAME).get().getMetadata().getResourceVersion())); // a renewal
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.v1().events()
                .inNamespace(NAMESPACE).list().getItems()).filteredOn(e -> e.getReason().equals("EndpointDown"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo(JOB);
                    assertThat(e.getMessage()).contains("http://127.0.0.1:9").contains(TestResources.POD_NAME);
                }));
        worker.close(); // a worker's last calls: it gives up its Lease

        Set<String> calls = AuditedClient.assertTheChartAllowsWhatItCalled(server, "worker");
        assertThat(ChartRoles.of("worker").unused(calls)).as("grants of the chart's worker role that no call uses")
                .isEmpty();
    }

    private List<MigrationTask> copyTasks() {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withLabel(Ferry.JOB_LABEL, JOB)
                .list().getItems().stream().filter(t -> t.getSpec().type == TaskType.Copy)
                .sorted(java.util.Comparator.comparing(t -> t.getMetadata().getName())).toList();
    }
}
