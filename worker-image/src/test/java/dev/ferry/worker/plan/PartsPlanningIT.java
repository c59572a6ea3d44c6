package dev.ferry.worker.plan;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.PartsScope;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** Files of at least splitFileSize become Parts tasks that share one multipart upload, started by the plan. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class PartsPlanningIT {
    static final long MIB = 1L << 20;
    /** 9 parts of 5 MiB (the last one short); 40Mi split size: tasks of 2 parts, so 5 tasks. */
    static final long HUGE = 41 * MIB + 12_345;
    static KubernetesMockServer server;
    static KubernetesClient client;
    static int jobs;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("parts-plan");

    @TempDir
    Path source;
    MigrationJob job;
    EndpointPool store;
    PlanTesting plans;
    PlanRunner runner;

    @BeforeAll
    static void credentials() {
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void treeWithOneHugeFileBetweenTwoSmallOnes() throws Exception {
        Trees.write(source, "a.txt", "a".getBytes());
        try (RandomAccessFile huge = new RandomAccessFile(source.resolve("huge.bin").toFile(), "rw")) {
            huge.setLength(HUGE); // sparse: planning never reads it
        }
        Trees.write(source, "z.txt", "zz".getBytes());
        String name = "parts-" + (++jobs);
        MigrationJob spec = TestResources.job(name, S3.server().endpoint(), S3.bucket(), name);
        spec.getSpec().tasks.splitFileSize = "40Mi";
        spec.getSpec().workers.partSize = "5Mi";
        job = TestResources.create(client, spec);
        store = S3ClientFactory.forJob(client, job);
        plans = new PlanTesting(client, job, store);
        runner = plans.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aHugeFileBecomesPartsTasksInThePlansSequenceSharingOneUploadTheyFindInTheStore() throws Exception {
        String plan = plans.rootPlan();

        plans.handOutAndRun(runner, plan, POD_UID, StopSignal.NEVER);

        assertThat(plans.tasks(TaskType.Copy)).extracting(t -> t.getMetadata().getName())
                .containsExactly(name(plan, 1), name(plan, 7));
        List<MigrationTask> parts = plans.tasks(TaskType.Parts);
        assertThat(parts).extracting(t -> t.getMetadata().getName())
                .containsExactly(name(plan, 2), name(plan, 3), name(plan, 4), name(plan, 5), name(plan, 6));
        assertThat(parts).extracting(t -> t.getSpec().parts.firstPart).containsExactly(1, 3, 5, 7, 9);
        assertThat(parts).extracting(t -> t.getSpec().parts.lastPart).containsExactly(2, 4, 6, 8, 9);
        assertThat(parts).extracting(t -> t.getSpec().fileCount).containsExactly(1, 0, 0, 0, 0);
        assertThat(parts.stream().mapToLong(t -> t.getSpec().byteCount).sum()).isEqualTo(HUGE);
        assertThat(parts).allSatisfy(t -> {
            PartsScope p = t.getSpec().parts;
            assertThat(p.file.path).isEqualTo("huge.bin");
            assertThat(p.file.size).isEqualTo(HUGE);
            assertThat(p.partSize).isEqualTo(5 * MIB);
            assertThat(p.totalParts).isEqualTo(9);
            assertThat(t.getMetadata().getLabels()).containsEntry(Ferry.TASK_TYPE_LABEL, "Parts");
            assertThat(t.getMetadata().getAnnotations()).containsEntry(Ferry.PLAN_ANNOTATION, plan);
        });
        String uploadId = parts.get(0).getSpec().parts.uploadId;
        assertThat(parts).extracting(t -> t.getSpec().parts.uploadId).containsOnly(uploadId);
        assertThat(uploadsOf("huge.bin")).containsExactly(uploadId);
        MigrationTask done = TestResources.task(client, plan);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.tasksCreated).isEqualTo(7);
        assertThat(done.getStatus().progress.total).isEqualTo(3);
        assertThat(done.getStatus().progress.totalBytes).isEqualTo(HUGE + 3);
        assertThat(plans.coveredPaths()).containsExactly("a.txt", "huge.bin", "z.txt");
    }

    @Test
    void aPlanThatCrashedAfterStartingTheUploadFindsItAgainInsteadOfStartingAnother() throws Exception {
        String plan = plans.rootPlan();
        runner.hooks = SimulatedCrash.atFirst("upload ");
        assertThatThrownBy(() -> plans.handOutAndRun(runner, plan, POD_UID, StopSignal.NEVER))
                .isInstanceOf(SimulatedCrash.class);
        assertThat(plans.tasks(TaskType.Parts)).isEmpty();
        List<String> leftBehind = uploadsOf("huge.bin");
        assertThat(leftBehind).hasSize(1);

        runner.hooks = PlanHooks.NONE;
        plans.handOutAndRun(runner, plan, POD_UID, StopSignal.NEVER);

        assertThat(plans.tasks(TaskType.Parts)).hasSize(5)
                .extracting(t -> t.getSpec().parts.uploadId).containsOnly(leftBehind.get(0));
        assertThat(uploadsOf("huge.bin")).containsExactlyElementsOf(leftBehind);
        assertThat(plans.coveredPaths()).containsExactly("a.txt", "huge.bin", "z.txt");
    }

    @Test
    void aPlanThatCrashedAmidAFilesPartsTasksCompletesThatSeriesWithItsUpload() throws Exception {
        String plan = plans.rootPlan();
        runner.hooks = SimulatedCrash.atFirst("created " + name(plan, 4));
        assertThatThrownBy(() -> plans.handOutAndRun(runner, plan, POD_UID, StopSignal.NEVER))
                .isInstanceOf(SimulatedCrash.class);
        List<MigrationTask> before = plans.tasks(TaskType.Parts);
        assertThat(before).hasSize(3);
        assertThat(TestResources.task(client, plan).getStatus().progress.tasksCreated).isEqualTo(1);

        runner.hooks = PlanHooks.NONE;
        plans.handOutAndRun(runner, plan, POD_UID, StopSignal.NEVER);

        List<MigrationTask> parts = plans.tasks(TaskType.Parts);
        assertThat(parts).extracting(t -> t.getSpec().parts.firstPart).containsExactly(1, 3, 5, 7, 9);
        assertThat(parts).extracting(t -> t.getSpec().parts.uploadId).containsOnly(before.get(0).getSpec().parts.uploadId);
        assertThat(uploadsOf("huge.bin")).containsExactly(before.get(0).getSpec().parts.uploadId);
        MigrationTask done = TestResources.task(client, plan);
        assertThat(done.getStatus().progress.tasksCreated).isEqualTo(7);
        assertThat(done.getStatus().progress.total).isEqualTo(3);
        assertThat(plans.coveredPaths()).containsExactly("a.txt", "huge.bin", "z.txt");
    }

    @Test
    void aFileBelowTheSplitSizeStaysInACopyTask() throws Exception {
        MigrationJob spec = TestResources.job("parts-big-split-" + (++jobs), S3.server().endpoint(), S3.bucket(), "x");
        spec.getSpec().tasks.splitFileSize = "42Mi";
        MigrationJob bigSplit = TestResources.create(client, spec);
        PlanTesting other = new PlanTesting(client, bigSplit, store);

        other.handOutAndRun(other.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT), other.rootPlan(),
                POD_UID, StopSignal.NEVER);

        assertThat(other.tasks(TaskType.Parts)).isEmpty();
        assertThat(other.coveredPaths()).containsExactly("a.txt", "huge.bin", "z.txt");
    }

    @Test
    void theWorkersCompleteThePlannedUploadIntoTheFilesObject() throws Exception {
        byte[] data = Trees.randomBytes((int) (12 * MIB + 99), 17);
        Trees.write(source, "m/real.bin", data);
        MigrationJob spec = TestResources.job("parts-run-" + (++jobs), S3.server().endpoint(), S3.bucket(), "run");
        spec.getSpec().tasks.splitFileSize = "8Mi";
        spec.getSpec().workers.partSize = "5Mi";
        spec.getSpec().source.path = "/m";
        MigrationJob run = TestResources.create(client, spec);
        PlanTesting other = new PlanTesting(client, run, store);
        other.handOutAndRun(other.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT), other.rootPlan(),
                POD_UID, StopSignal.NEVER);
        List<MigrationTask> parts = other.tasks(TaskType.Parts);
        assertThat(parts).hasSize(3);

        try (LocalWorker worker = new LocalWorker(client, source, POD_UID)) {
            for (int i = parts.size() - 1; i >= 0; i--) { // part 1 last: it completes the upload
                String task = parts.get(i).getMetadata().getName();
                TestResources.assign(client, task, POD_UID);
                worker.run(task);
            }
        }

        assertThat(parts).allSatisfy(t -> assertThat(TestResources.task(client, t.getMetadata().getName())
                .getStatus().phase).isEqualTo(TaskPhase.Succeeded));
        assertThat(S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key("run/real.bin")).asByteArray())
                .isEqualTo(data);
        assertThat(S3.server().client().listMultipartUploads(b -> b.bucket(S3.bucket()).prefix("run/")).uploads())
                .isEmpty();
    }

    @Test
    void aLaterRunChecksAnUnchangedHugeFileInACopyTaskAndSplitsItAgainOnceItChanged() throws Exception {
        byte[] data = Trees.randomBytes((int) (12 * MIB + 99), 23);
        Path file = Trees.write(source, "n/real.bin", data);
        MigrationJob spec = TestResources.job("parts-sync-" + (++jobs), S3.server().endpoint(), S3.bucket(), "sync");
        spec.getSpec().tasks.splitFileSize = "8Mi";
        spec.getSpec().workers.partSize = "5Mi";
        spec.getSpec().source.path = "/n";
        MigrationJob job = TestResources.create(client, spec);
        assertThat(planAndRun(job)).as("run 1: the file's parts, in 3 Parts tasks").hasSize(3)
                .allSatisfy(t -> assertThat(t.getSpec().type).isEqualTo(TaskType.Parts));
        java.time.Instant stored = S3.server().client().headObject(b -> b.bucket(S3.bucket()).key("sync/real.bin"))
                .lastModified();

        List<MigrationTask> run2 = planAndRun(nextRun(job, 2));

        assertThat(run2).as("run 2, the file unchanged: one Copy task, which finds the object is the file")
                .singleElement().satisfies(t -> {
                    assertThat(t.getSpec().type).isEqualTo(TaskType.Copy);
                    assertThat(t.getStatus().progress.skipped).isEqualTo(1);
                    assertThat(t.getStatus().progress.copied).isZero();
                });
        assertThat(S3.server().client().headObject(b -> b.bucket(S3.bucket()).key("sync/real.bin")).lastModified())
                .as("not uploaded again").isEqualTo(stored);

        byte[] changed = Trees.randomBytes(data.length, 29);
        Trees.write(source, "n/real.bin", changed);
        java.nio.file.Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().plusSeconds(60)));
        assertThat(planAndRun(nextRun(job, 3))).as("run 3, the file rewritten: Parts tasks again").hasSize(3)
                .allSatisfy(t -> assertThat(t.getSpec().type).isEqualTo(TaskType.Parts));
        assertThat(S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key("sync/real.bin")).asByteArray())
                .isEqualTo(changed);
    }

    /** Plans {@code job}'s run and runs every task it created (the task with part 1 last); returns them, as they ended. */
    private List<MigrationTask> planAndRun(MigrationJob job) throws Exception {
        PlanTesting run = new PlanTesting(client, job, store);
        run.handOutAndRun(run.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT), run.rootPlan(), POD_UID,
                StopSignal.NEVER);
        List<MigrationTask> created = new java.util.ArrayList<>(run.tasks(TaskType.Parts));
        java.util.Collections.reverse(created); // part 1 last: it completes the upload
        created.addAll(run.tasks(TaskType.Copy));
        try (LocalWorker worker = new LocalWorker(client, source, POD_UID)) {
            for (MigrationTask task : created) {
                TestResources.assign(client, task.getMetadata().getName(), POD_UID);
                worker.run(task.getMetadata().getName());
            }
        }
        List<MigrationTask> ended = created.stream().map(t -> TestResources.task(client, t.getMetadata().getName()))
                .toList();
        assertThat(ended).allSatisfy(t -> assertThat(t.getStatus().phase).isEqualTo(TaskPhase.Succeeded));
        return ended;
    }

    /** What the operator does when run {@code run} starts: the last run's tasks deleted, {@code status.run} set. */
    private MigrationJob nextRun(MigrationJob job, long run) {
        client.resources(MigrationTask.class).inNamespace(TestResources.NAMESPACE)
                .withLabel(Ferry.JOB_LABEL, job.getMetadata().getName()).delete();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> client
                .resources(MigrationTask.class).inNamespace(TestResources.NAMESPACE)
                .withLabel(Ferry.JOB_LABEL, job.getMetadata().getName()).list().getItems().isEmpty());
        MigrationJob current = client.resources(MigrationJob.class).inNamespace(TestResources.NAMESPACE)
                .withName(job.getMetadata().getName()).get();
        current.setStatus(new dev.ferry.api.MigrationJobStatus());
        current.getStatus().run = run;
        return client.resources(MigrationJob.class).inNamespace(TestResources.NAMESPACE).resource(current)
                .updateStatus();
    }

    private List<String> uploadsOf(String path) {
        String key = job.getMetadata().getName() + "/" + path;
        return S3.server().client().listMultipartUploads(b -> b.bucket(S3.bucket()).prefix(key)).uploads().stream()
                .filter(u -> u.key().equals(key)).map(MultipartUpload::uploadId).toList();
    }

    private static String name(String plan, int n) {
        return String.format(Locale.ROOT, "%s-%05d", plan, n);
    }
}
