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
import dev.ferry.worker.config.WorkerConfig;
import dev.ferry.worker.testing.S3ProxyServer;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole worker: informer, dispatch, plan and copy, with the test playing the operator. */
@EnableKubernetesMockClient(crud = true)
class WorkerIT {
    static final String JOB = "whole";
    static KubernetesClient client;

    @TempDir
    Path source;
    @TempDir
    Path blobs;
    S3ProxyServer s3;
    Worker worker;

    @BeforeEach
    void start() throws Exception {
        s3 = S3ProxyServer.start(blobs);
        s3.createBucket("whole");
        TestResources.createCredentials(client);
        MigrationJob job = TestResources.job(JOB, s3.endpoint(), "whole", "");
        job.getSpec().tasks.maxFiles = 10;
        TestResources.create(client, job);
        worker = new Worker(new WorkerConfig(TestResources.POD_NAME, NAMESPACE, POD_UID, JOB, source, 3),
                client, Clock.systemUTC(), Duration.ofSeconds(2));
        worker.start();
    }

    @AfterEach
    void stop() throws Exception {
        worker.close();
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

    private List<MigrationTask> copyTasks() {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withLabel(Ferry.JOB_LABEL, JOB)
                .list().getItems().stream().filter(t -> t.getSpec().type == TaskType.Copy)
                .sorted(java.util.Comparator.comparing(t -> t.getMetadata().getName())).toList();
    }
}
