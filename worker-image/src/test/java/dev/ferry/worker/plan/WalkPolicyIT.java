package dev.ferry.worker.plan;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Symbolic links and special files, from the walk to the bucket: what is migrated, and what is reported. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class WalkPolicyIT {
    static KubernetesMockServer server;
    static KubernetesClient client;
    static int jobs;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("walk-policy");

    /** The volume; the job migrates its directory data/. */
    @TempDir
    Path volume;
    Path source;
    LocalWorker worker;

    @BeforeAll
    static void credentials() {
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void treeWithLinksAndAPipe() throws Exception {
        source = volume.resolve("data");
        Trees.write(source, "docs/a.txt", "alpha".getBytes());
        Trees.write(source, "releases/v3/app.bin", "v3 app".getBytes());
        Trees.write(volume, "outside.txt", "not part of the job".getBytes());
        Files.createSymbolicLink(source.resolve("latest.txt"), Path.of("docs/a.txt"));
        Files.createSymbolicLink(source.resolve("current"), Path.of("releases/v3"));
        Files.createSymbolicLink(source.resolve("escape.txt"), Path.of("../outside.txt"));
        Process mkfifo = new ProcessBuilder("mkfifo", source.resolve("docs/pipe").toString()).start();
        assertThat(mkfifo.waitFor()).as("mkfifo").isZero();
        worker = new LocalWorker(client, volume, POD_UID);
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    @Test
    void followedLinksAreStoredUnderTheirOwnNamesWithTheBytesOfTheirTargets() throws Exception {
        MigrationJob job = job(true);
        String plan = planned(job);

        MigrationTask copy = copyTasks(job).get(0);
        assertThat(copy.getSpec().files).extracting(f -> f.path)
                .containsExactly("current/app.bin", "docs/a.txt", "latest.txt", "releases/v3/app.bin");
        assertThat(skippedEntries(plan)).containsExactly("docs/pipe SPECIAL_FILE", "escape.txt SYMLINK_OUTSIDE_SOURCE");
        MigrationTask done = TestResources.task(client, plan);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.skipped).isEqualTo(2);
        assertThat(done.getStatus().progress.total).isEqualTo(4);
        assertThat(done.getStatus().message).contains("2 entries left out by policy");

        TestResources.assign(client, copy.getMetadata().getName(), POD_UID);
        worker.run(copy.getMetadata().getName());

        assertThat(TestResources.task(client, copy.getMetadata().getName()).getStatus().progress.copied).isEqualTo(4);
        assertThat(object(job, "latest.txt")).isEqualTo("alpha");
        assertThat(object(job, "current/app.bin")).isEqualTo("v3 app");
    }

    @Test
    void byDefaultLinksAndSpecialFilesAreLeftOutAndReportedWithoutFailingThePlan() {
        MigrationJob job = job(false);
        String plan = planned(job);

        assertThat(copyTasks(job).get(0).getSpec().files).extracting(f -> f.path)
                .containsExactly("docs/a.txt", "releases/v3/app.bin");
        assertThat(skippedEntries(plan)).containsExactly("current SYMLINK_SKIPPED", "docs/pipe SPECIAL_FILE",
                "escape.txt SYMLINK_SKIPPED", "latest.txt SYMLINK_SKIPPED");
        assertThat(TestResources.task(client, plan).getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(TestResources.task(client, plan).getStatus().failures).isNull();
    }

    @Test
    void entriesLeftOutAreReportedOnceWhenAPlanIsReleasedAndResumed() throws Exception {
        Path flat = volume.resolve("flat");
        for (String f : List.of("a1", "c1", "e1", "g1")) {
            Trees.write(flat, f + ".txt", f.getBytes());
        }
        for (String link : List.of("b", "d", "f")) {
            Files.createSymbolicLink(flat.resolve(link + "-link"), Path.of("a1.txt"));
        }
        MigrationJob spec = TestResources.job("flat-" + (++jobs), S3.server().endpoint(), S3.bucket(), "flat");
        spec.getSpec().source.path = "/flat";
        spec.getSpec().tasks.maxFiles = 2;
        MigrationJob job = TestResources.create(client, spec);
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean room = new AtomicBoolean();
        ActiveTasks fullAfterOne = () -> calls.incrementAndGet() <= 1 || room.get() ? 0 : 200;
        try (EndpointPool store = S3ClientFactory.forJob(client, job)) {
            PlanTesting plans = new PlanTesting(client, job, store);
            PlanRunner runner = plans.runner(volume, fullAfterOne,
                    new PlanRunner.Settings(Duration.ofMillis(10), Duration.ofMillis(30), Duration.ofSeconds(30)));
            String plan = plans.rootPlan();

            plans.handOutAndRun(runner, plan, POD_UID, StopSignal.NEVER);
            // released while f-link waited for the task that would cover it
            MigrationTask released = TestResources.task(client, plan);
            assertThat(released.getStatus().phase).isEqualTo(TaskPhase.Pending);
            assertThat(released.getStatus().progress.checkpoint).isEqualTo("d-link");
            assertThat(skippedEntries(plan)).containsExactly("b-link SYMLINK_SKIPPED", "d-link SYMLINK_SKIPPED");

            room.set(true);
            plans.handOutAndRun(runner, plan, POD_UID, StopSignal.NEVER);

            assertThat(skippedEntries(plan)).containsExactly("b-link SYMLINK_SKIPPED", "d-link SYMLINK_SKIPPED",
                    "f-link SYMLINK_SKIPPED");
            assertThat(TestResources.task(client, plan).getStatus().progress.skipped).isEqualTo(3);
            assertThat(plans.coveredPaths()).containsExactly("a1.txt", "c1.txt", "e1.txt", "g1.txt");
        }
    }

    private MigrationJob job(boolean followSymlinks) {
        String name = "links-" + (++jobs);
        MigrationJob spec = TestResources.job(name, S3.server().endpoint(), S3.bucket(), name);
        spec.getSpec().source.path = "/data";
        spec.getSpec().source.followSymlinks = followSymlinks;
        return TestResources.create(client, spec);
    }

    private String planned(MigrationJob job) {
        String plan = TestResources.createPlanTask(client, job, "").getMetadata().getName();
        TestResources.assign(client, plan, POD_UID);
        worker.run(plan);
        return plan;
    }

    private List<MigrationTask> copyTasks(MigrationJob job) {
        return new PlanTesting(client, job, null).tasks(TaskType.Copy);
    }

    private List<String> skippedEntries(String plan) {
        List<FileFailure> entries = TestResources.task(client, plan).getStatus().skippedEntries;
        return entries == null ? List.of() : entries.stream().map(e -> e.path + " " + e.code).toList();
    }

    private String object(MigrationJob job, String path) {
        return S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket())
                .key(job.getMetadata().getName() + "/" + path)).asUtf8String();
    }
}
