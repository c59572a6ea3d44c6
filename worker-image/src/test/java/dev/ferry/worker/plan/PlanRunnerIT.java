package dev.ferry.worker.plan;

import static dev.ferry.worker.testing.TestResources.NAMESPACE;
import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class PlanRunnerIT {
    static final int FILES = 1234;
    static KubernetesMockServer server;
    static KubernetesClient client;
    static int jobs;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("plan-it");

    @TempDir
    Path source;
    LocalWorker worker;
    MigrationJob job;
    EndpointPool store;
    PlanTesting plans;
    List<String> allPaths;

    @BeforeAll
    static void credentials() {
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void treeOf1234FilesInNestedDirectories() {
        allPaths = IntStream.range(0, FILES)
                .mapToObj(i -> String.format(Locale.ROOT, "d%02d/s%d/f%04d.dat", i % 10, (i / 10) % 5, i))
                .toList();
        allPaths.forEach(p -> Trees.write(source, p, p.getBytes()));
        Trees.write(source, "skip/ignored.tmp", new byte[3]);
        MigrationJob spec = TestResources.job("plan-" + (++jobs), S3.server().endpoint(), S3.bucket(), "backup");
        spec.getSpec().tasks.maxFiles = 100;
        spec.getSpec().source.exclude = List.of("**/*.tmp");
        job = TestResources.create(client, spec);
        store = S3ClientFactory.forJob(client, job);
        plans = new PlanTesting(client, job, store);
        worker = new LocalWorker(client, source, POD_UID);
    }

    @AfterEach
    void close() {
        worker.close();
        store.close();
    }

    @Test
    void cutsTheTreeIntoThirteenDeterministicCopyTasksCoveringEveryFileOnce() {
        String plan = plans.rootPlan();
        TestResources.assign(client, plan, POD_UID);

        worker.run(plan);

        List<MigrationTask> tasks = plans.tasks(TaskType.Copy);
        assertThat(tasks).extracting(t -> t.getMetadata().getName())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 13)
                        .mapToObj(n -> String.format(Locale.ROOT, "%s-plan-%05d", jobName(), n)).toList());
        assertThat(tasks).allSatisfy(t -> {
            assertThat(plans.files(t)).hasSizeLessThanOrEqualTo(100);
            assertThat(t.getSpec().fileCount).isEqualTo(plans.files(t).size());
            assertThat(t.getMetadata().getLabels()).containsEntry(Ferry.TASK_TYPE_LABEL, "Copy");
            assertThat(t.getMetadata().getAnnotations()).containsEntry(Ferry.PLAN_ANNOTATION, plan);
            assertThat(t.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid()));
        });
        assertThat(pathsIn(tasks)).containsExactlyElementsOf(sorted(allPaths));
        MigrationTask done = TestResources.task(client, plan);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.total).isEqualTo(FILES);
        assertThat(done.getStatus().progress.tasksCreated).isEqualTo(13);
        assertThat(done.getStatus().progress.totalBytes)
                .isEqualTo(allPaths.stream().mapToLong(String::length).sum());
    }

    @Test
    void aPlansFirstTaskHolds500FilesAndTheNextOnesTwiceAsManyUpToMaxFiles() {
        assertThat(fileCountsOfTasksCutWith(600)).containsExactly(500, 600, 134);
        assertThat(fileCountsOfTasksCutWith(null)).as("the default maxFiles (5000)").containsExactly(500, 734);
    }

    private List<Integer> fileCountsOfTasksCutWith(Integer maxFiles) {
        MigrationJob spec = TestResources.job("plan-" + (++jobs), S3.server().endpoint(), S3.bucket(), "ramp");
        spec.getSpec().tasks.maxFiles = maxFiles;
        spec.getSpec().source.exclude = List.of("**/*.tmp");
        MigrationJob ramped = TestResources.create(client, spec);
        PlanTesting rampedPlans = new PlanTesting(client, ramped, store);
        String plan = rampedPlans.rootPlan();
        TestResources.assign(client, plan, POD_UID);

        worker.run(plan);

        List<MigrationTask> tasks = rampedPlans.tasks(TaskType.Copy);
        assertThat(pathsIn(rampedPlans, tasks)).containsExactlyElementsOf(sorted(allPaths));
        return tasks.stream().map(t -> t.getSpec().fileCount).toList();
    }

    @Test
    void aWalkThatCreatesNoTaskStillSaysItMovesSoItIsNotTakenBackAsStalled() {
        MigrationJob spec = TestResources.job("plan-" + (++jobs), S3.server().endpoint(), S3.bucket(), "none");
        spec.getSpec().source.include = List.of("**/*.none");
        // a stall timeout of 4 ms: the walk must say it moves every millisecond
        spec.getSpec().tasks.stallTimeout = "4ms";
        MigrationJob narrow = TestResources.create(client, spec);
        PlanTesting narrowPlans = new PlanTesting(client, narrow, store);
        String plan = narrowPlans.rootPlan();
        TestResources.assign(client, plan, POD_UID);

        worker.run(plan);

        MigrationTask done = TestResources.task(client, plan);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.tasksCreated).isZero();
        assertThat(done.getStatus().progressTime).as("written while walking %d entries that match nothing", FILES)
                .isNotNull();
        assertThat(Instant.parse(done.getStatus().progressTime))
                .isAfterOrEqualTo(Instant.parse(done.getStatus().assignment.since));
    }

    @Test
    void aSourcePathThatIsAFileOrIsMissingFailsThePlanSayingWhichInTheSpecsWords() {
        assertThat(rootPlanOfASourceAt("/d00/s0/f0000.dat").getStatus()).satisfies(s -> {
            assertThat(s.phase).isEqualTo(TaskPhase.Failed);
            assertThat(s.message).startsWith("spec.source.path /d00/s0/f0000.dat is not a directory")
                    .contains("for one file, name its directory and include only the file's name");
        });
        assertThat(rootPlanOfASourceAt("/d00/nothing-here").getStatus()).satisfies(s -> {
            assertThat(s.phase).isEqualTo(TaskPhase.Failed);
            assertThat(s.message).startsWith("source directory ").endsWith(" does not exist (spec.source.path"
                    + " /d00/nothing-here in claim " + job.getSpec().source.pvc + ")");
        });
    }

    private MigrationTask rootPlanOfASourceAt(String path) {
        MigrationJob spec = TestResources.job("plan-" + (++jobs), S3.server().endpoint(), S3.bucket(), "at");
        spec.getSpec().source.path = path;
        PlanTesting atPlans = new PlanTesting(client, TestResources.create(client, spec), store);
        String plan = atPlans.rootPlan();
        TestResources.assign(client, plan, POD_UID);
        worker.run(plan);
        return TestResources.task(client, plan);
    }

    @Test
    void aTaskOfMoreThanFiftyFilesCarriesAManifestInTheJobsStatePrefix() {
        String plan = plans.rootPlan();
        TestResources.assign(client, plan, POD_UID);

        worker.run(plan);

        List<MigrationTask> tasks = plans.tasks(TaskType.Copy);
        MigrationTask full = tasks.get(0);
        assertThat(full.getSpec().files).isNull();
        assertThat(full.getSpec().manifest.files).isEqualTo(100);
        assertThat(full.getSpec().manifest.bytes).isEqualTo(full.getSpec().byteCount);
        String manifests = "backup/.ferry/" + job.getMetadata().getUid() + "/manifests/";
        assertThat(full.getSpec().manifest.key).startsWith(manifests + full.getMetadata().getName() + "-")
                .endsWith(".jsonl");
        String stored = S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket())
                .key(full.getSpec().manifest.key)).asString(StandardCharsets.UTF_8);
        assertThat(stored.lines()).hasSize(100).first().asString().startsWith("{\"path\":\"d00/s0/f0000.dat\"");
        // the last task holds the remaining 34 files: few enough to stay inline
        MigrationTask last = tasks.get(12);
        assertThat(last.getSpec().manifest).isNull();
        assertThat(last.getSpec().files).hasSize(34);
        assertThat(S3.server().client().listObjectsV2(b -> b.bucket(S3.bucket()).prefix(manifests)).contents())
                .as("12 manifests that tasks read, and the plan's record of the inline task for the audit")
                .extracting(o -> o.key().substring(manifests.length(), o.key().lastIndexOf('-')))
                .hasSize(13).contains(last.getMetadata().getName());
    }

    @Test
    void aCopyTaskReadsItsFilesFromItsManifest() throws Exception {
        String plan = plans.rootPlan();
        TestResources.assign(client, plan, POD_UID);
        worker.run(plan);
        MigrationTask first = plans.tasks(TaskType.Copy).get(0);
        List<FileEntry> listed = plans.files(first);
        TestResources.assign(client, first.getMetadata().getName(), POD_UID);

        worker.run(first.getMetadata().getName());

        MigrationTask copied = TestResources.task(client, first.getMetadata().getName());
        assertThat(copied.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(copied.getStatus().progress.copied).isEqualTo(100);
        assertThat(S3.server().client().listObjectsV2(b -> b.bucket(S3.bucket())
                .prefix(first.getSpec().manifest.key)).contents()).as("its manifest, kept for the audit").hasSize(1);
        for (FileEntry file : listed) {
            assertThat(S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key("backup/" + file.path))
                    .asByteArray()).isEqualTo(Files.readAllBytes(source.resolve(file.path)));
        }
    }

    @Test
    void aReassignedPlanResumesAfterItsCheckpointWithoutDuplicatesOrGaps() throws Exception {
        String plan = plans.rootPlan();
        TestResources.assign(client, plan, POD_UID);
        worker.run(plan);
        List<MigrationTask> firstRun = plans.tasks(TaskType.Copy);
        // Rewind to a crash after task 6 was created but before the progress said so: the status
        // knows 5 tasks, task 6 exists, tasks 7.. do not.
        List<FileEntry> fifth = plans.files(firstRun.get(4));
        String checkpoint = fifth.get(fifth.size() - 1).path;
        firstRun.subList(6, firstRun.size()).forEach(t ->
                client.resources(MigrationTask.class).inNamespace(NAMESPACE).withName(t.getMetadata().getName()).delete());
        TestResources.updateStatus(client, plan, s -> {
            s.phase = TaskPhase.Running;
            s.progress.tasksCreated = 5;
            s.progress.checkpoint = checkpoint;
            s.progress.total = 500L;
            s.progress.totalBytes = firstRun.subList(0, 5).stream().mapToLong(t -> t.getSpec().byteCount).sum();
        });
        // a new file that sorts after the checkpoint appears before the plan resumes
        Trees.write(source, "d09/s4/zz-late.dat", "late".getBytes());
        TestResources.assign(client, plan, POD_UID);

        worker.run(plan);

        List<MigrationTask> tasks = plans.tasks(TaskType.Copy);
        assertThat(pathsIn(tasks.subList(0, 6))).containsExactlyElementsOf(pathsIn(firstRun.subList(0, 6)));
        List<String> expected = new ArrayList<>(allPaths);
        expected.add("d09/s4/zz-late.dat");
        assertThat(pathsIn(tasks)).containsExactlyElementsOf(sorted(expected));
        MigrationTask done = TestResources.task(client, plan);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.total).isEqualTo(FILES + 1);
        assertThat(done.getStatus().progress.tasksCreated).isEqualTo(tasks.size());
        assertThat(Files.exists(source.resolve("skip/ignored.tmp"))).isTrue();
    }

    private String jobName() {
        return job.getMetadata().getName();
    }

    private List<String> pathsIn(List<MigrationTask> tasks) {
        return pathsIn(plans, tasks);
    }

    private static List<String> pathsIn(PlanTesting plans, List<MigrationTask> tasks) {
        return tasks.stream().flatMap(t -> plans.files(t).stream()).map(f -> f.path).toList();
    }

    private static List<String> sorted(List<String> paths) {
        return paths.stream().sorted(PathOrder.COMPARATOR).toList();
    }
}
