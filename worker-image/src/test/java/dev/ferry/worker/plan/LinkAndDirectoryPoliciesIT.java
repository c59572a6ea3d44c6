package dev.ferry.worker.plan;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.EmptyDirectoryPolicy;
import dev.ferry.api.FileEntry;
import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.SymlinkPolicy;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.ObjectMetadata;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code spec.source.symlinks: Store} and {@code emptyDirectories: Marker}, from the walk to the bucket:
 * links become small objects and are never followed, empty directories become {@code dir/} markers, a
 * re-run skips both, and a plan resumed after a crash at any point plans each exactly once.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class LinkAndDirectoryPoliciesIT {
    static KubernetesMockServer server;
    static KubernetesClient client;
    static int jobs;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("link-policy");

    /** The volume; the jobs migrate its directory data/. */
    @TempDir
    Path volume;
    Path source;
    LocalWorker worker;

    @BeforeAll
    static void credentials() {
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void treeWithLinksAndEmptyDirectories() throws Exception {
        source = volume.resolve("data");
        Trees.write(source, "docs/a.txt", "alpha".getBytes());
        Trees.write(source, "releases/v3/app.bin", "v3 app".getBytes());
        Trees.write(volume, "outside.txt", "not part of the job".getBytes());
        Files.createSymbolicLink(source.resolve("latest.txt"), Path.of("docs/a.txt"));
        Files.createSymbolicLink(source.resolve("current"), Path.of("releases/v3"));
        Files.createSymbolicLink(source.resolve("gone.txt"), Path.of("does-not-exist.txt"));
        Files.createSymbolicLink(source.resolve("escape.txt"), Path.of("../outside.txt"));
        Files.createDirectories(source.resolve("docs/drafts"));
        Files.createDirectories(source.resolve("scratch/inner"));
        worker = new LocalWorker(client, volume, POD_UID);
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    @Test
    void storeKeepsEveryLinkAsASmallObjectWithItsTextAndFollowsNone() {
        MigrationJob job = job(SymlinkPolicy.Store, null);

        String plan = planned(job);
        copyAll(job);

        assertThat(entries(job)).containsExactly("Symlink current", "File docs/a.txt", "Symlink escape.txt",
                "Symlink gone.txt", "Symlink latest.txt", "File releases/v3/app.bin");
        assertThat(skippedEntries(plan)).isEmpty();
        Map<String, String> bucket = objects(job);
        assertThat(bucket).containsOnlyKeys("current", "docs/a.txt", "escape.txt", "gone.txt", "latest.txt",
                "releases/v3/app.bin");
        assertThat(bucket).containsEntry("current", "releases/v3").containsEntry("escape.txt", "../outside.txt")
                .containsEntry("gone.txt", "does-not-exist.txt").containsEntry("latest.txt", "docs/a.txt");
        assertThat(bucket.values()).as("nothing was read through a link").doesNotContain("not part of the job");
        assertThat(metadata(job, "escape.txt")).containsEntry(ObjectMetadata.SYMLINK_TARGET, "../outside.txt");
        assertThat(metadata(job, "docs/a.txt")).doesNotContainKey(ObjectMetadata.SYMLINK_TARGET);
    }

    @Test
    void byDefaultLinksAreSkippedAndReportedAndEmptyDirectoriesStoreNothing() {
        MigrationJob job = job(null, null);

        String plan = planned(job);
        copyAll(job);

        assertThat(entries(job)).containsExactly("File docs/a.txt", "File releases/v3/app.bin");
        assertThat(skippedEntries(plan)).containsExactly("current SYMLINK_SKIPPED", "escape.txt SYMLINK_SKIPPED",
                "gone.txt SYMLINK_SKIPPED", "latest.txt SYMLINK_SKIPPED");
        assertThat(objects(job)).containsOnlyKeys("docs/a.txt", "releases/v3/app.bin");
    }

    @Test
    void markerMakesAnObjectForEachEmptyDirectoryOnlyAndAReRunSkipsMarkersAndLinks() {
        MigrationJob job = job(SymlinkPolicy.Store, EmptyDirectoryPolicy.Marker);

        planned(job);
        copyAll(job);

        assertThat(entries(job)).contains("Directory docs/drafts", "Directory scratch/inner")
                .doesNotContain("Directory docs", "Directory scratch", "Directory ");
        Map<String, String> bucket = objects(job);
        assertThat(bucket).containsEntry("docs/drafts/", "").containsEntry("scratch/inner/", "")
                .doesNotContainKeys("docs/", "scratch/", "releases/", "");
        assertThat(metadata(job, "docs/drafts/")).containsKeys(ObjectMetadata.MTIME, ObjectMetadata.MODE,
                ObjectMetadata.UID, ObjectMetadata.GID, ObjectMetadata.MD5);

        // the same tree again into the same prefix: every object is there and identical
        MigrationJob again = job(SymlinkPolicy.Store, EmptyDirectoryPolicy.Marker, job.getMetadata().getName());
        planned(again);
        List<MigrationTask> copies = copyAll(again);

        assertThat(copies).allSatisfy(t -> assertThat(t.getStatus().phase).isEqualTo(TaskPhase.Succeeded));
        assertThat(copies.stream().mapToLong(t -> t.getStatus().progress.copied).sum()).isZero();
        assertThat(copies.stream().mapToLong(t -> t.getStatus().progress.skipped).sum()).isEqualTo(8);
    }

    @Test
    void aPlanCrashedAtAnyPointPlansEveryLinkAndMarkerExactlyOnce() throws Exception {
        Path tree = volume.resolve("crash");
        Trees.write(tree, "a.txt", "a".getBytes());
        Files.createSymbolicLink(tree.resolve("b.lnk"), Path.of("a.txt"));
        Files.createDirectories(tree.resolve("c"));
        Files.createDirectories(tree.resolve("d"));
        Files.createSymbolicLink(tree.resolve("d/y.lnk"), Path.of("../a.txt"));
        Files.createDirectories(tree.resolve("d/z"));
        Trees.write(tree, "e/1.txt", "1".getBytes());
        Files.createSymbolicLink(tree.resolve("e/2.lnk"), Path.of("nowhere"));
        Files.createDirectories(tree.resolve("e/3"));
        Files.createSymbolicLink(tree.resolve("f.lnk"), Path.of("/etc/passwd"));
        Files.createDirectories(tree.resolve("g"));
        List<String> expected = List.of("File a.txt", "Symlink b.lnk", "Directory c", "Symlink d/y.lnk",
                "Directory d/z", "File e/1.txt", "Symlink e/2.lnk", "Directory e/3", "Symlink f.lnk", "Directory g");

        List<String> crashPoints = new ArrayList<>();
        for (int k = 1; ; k++) {
            AtomicInteger reached = new AtomicInteger();
            String point = planWithACrashAt(k, reached, expected);
            if (point == null) {
                assertThat(reached.get()).as("crash points of a whole run").isEqualTo(k - 1);
                break;
            }
            crashPoints.add(point);
        }
        assertThat(crashPoints).as("every kind of point was met")
                .anyMatch(p -> p.startsWith("created ") && p.endsWith("-00001"))
                .anyMatch(p -> p.startsWith("handoff e"))
                .anyMatch(p -> p.startsWith("created plan of e"));
    }

    @Test
    void aPlanReleasedRightAfterAMarkerOrALinkResumesWithoutDuplicatingOrLosingIt() throws Exception {
        Path markerFirst = volume.resolve("marker-first");
        Trees.write(markerFirst, "a1.txt", "a".getBytes());
        Files.createDirectories(markerFirst.resolve("b-empty"));
        Files.createSymbolicLink(markerFirst.resolve("c-link"), Path.of("a1.txt"));
        Trees.write(markerFirst, "d.txt", "d".getBytes());
        Path linkFirst = volume.resolve("link-first");
        Trees.write(linkFirst, "a1.txt", "a".getBytes());
        Files.createSymbolicLink(linkFirst.resolve("b-link"), Path.of("a1.txt"));
        Files.createDirectories(linkFirst.resolve("c-empty"));
        Trees.write(linkFirst, "d.txt", "d".getBytes());

        assertThat(releasedAfterTheFirstTaskAndResumed("marker-first", "b-empty"))
                .containsExactly("File a1.txt", "Directory b-empty", "Symlink c-link", "File d.txt");
        assertThat(releasedAfterTheFirstTaskAndResumed("link-first", "b-link"))
                .containsExactly("File a1.txt", "Symlink b-link", "Directory c-empty", "File d.txt");
    }

    /**
     * Plans directory {@code tree} with two entries per task, releasing the plan for want of room after
     * its first task (whose last entry is {@code checkpoint}) and resuming it; returns what the tasks cover.
     */
    private List<String> releasedAfterTheFirstTaskAndResumed(String tree, String checkpoint) throws Exception {
        MigrationJob spec = TestResources.job(tree + "-" + (++jobs), S3.server().endpoint(), S3.bucket(), tree);
        spec.getSpec().source.path = "/" + tree;
        spec.getSpec().source.symlinks = SymlinkPolicy.Store;
        spec.getSpec().source.emptyDirectories = EmptyDirectoryPolicy.Marker;
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
            MigrationTask released = TestResources.task(client, plan);
            assertThat(released.getStatus().phase).isEqualTo(TaskPhase.Pending);
            assertThat(released.getStatus().progress.checkpoint).isEqualTo(checkpoint);

            room.set(true);
            plans.handOutAndRun(runner, plan, POD_UID, StopSignal.NEVER);

            assertThat(TestResources.task(client, plan).getStatus().phase).isEqualTo(TaskPhase.Succeeded);
            assertThat(TestResources.task(client, plan).getStatus().progress.total).isEqualTo(4);
            List<String> covered = new ArrayList<>();
            plans.tasks(TaskType.Copy).forEach(t -> plans.files(t).forEach(f -> covered.add(kindAndPath(f))));
            return covered;
        }
    }

    /** Plans the crash tree in a fresh job, crashing at the k-th point; returns that point, or null when the run met fewer. */
    private String planWithACrashAt(int k, AtomicInteger reached, List<String> expected) throws Exception {
        MigrationJob spec = TestResources.job("crash-" + k, S3.server().endpoint(), S3.bucket(), "crash-" + k);
        spec.getSpec().source.path = "/crash";
        spec.getSpec().source.symlinks = SymlinkPolicy.Store;
        spec.getSpec().source.emptyDirectories = EmptyDirectoryPolicy.Marker;
        spec.getSpec().tasks.maxFiles = 2;
        spec.getSpec().tasks.splitDirectoryEntries = 3;
        MigrationJob job = TestResources.create(client, spec);
        try (EndpointPool store = S3ClientFactory.forJob(client, job)) {
            PlanTesting plans = new PlanTesting(client, job, store);
            PlanRunner runner = plans.runner(volume, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT);
            List<String> point = new ArrayList<>();
            runner.hooks = p -> {
                if (reached.incrementAndGet() == k) {
                    point.add(p);
                    throw new SimulatedCrash(p);
                }
            };
            plans.rootPlan();
            try {
                plans.runAllPlans(runner, POD_UID);
            } catch (SimulatedCrash crash) {
                runner.hooks = PlanHooks.NONE;
                plans.runAllPlans(runner, POD_UID);
            }
            String at = point.isEmpty() ? null : point.get(0);
            String why = "crash at point " + k + (at == null ? " (none)" : ": " + at);
            List<String> covered = new ArrayList<>();
            plans.tasks(TaskType.Copy).forEach(t -> plans.files(t).forEach(f -> covered.add(kindAndPath(f))));
            covered.sort(Comparator.comparing(e -> e.substring(e.indexOf(' ') + 1), PathOrder.COMPARATOR));
            assertThat(covered).as(why).containsExactlyElementsOf(expected);
            assertThat(plans.allPlansSucceeded()).as(why).isTrue();
            assertThat(plans.plannedFiles()).as(why).isEqualTo(expected.size());
            assertThat(plans.tasks(TaskType.Plan)).as(why).hasSize(2);
            return at;
        }
    }

    private MigrationJob job(SymlinkPolicy symlinks, EmptyDirectoryPolicy emptyDirectories) {
        return job(symlinks, emptyDirectories, null);
    }

    private MigrationJob job(SymlinkPolicy symlinks, EmptyDirectoryPolicy emptyDirectories, String prefix) {
        String name = "policies-" + (++jobs);
        MigrationJob spec = TestResources.job(name, S3.server().endpoint(), S3.bucket(), prefix == null ? name : prefix);
        spec.getSpec().source.path = "/data";
        spec.getSpec().source.symlinks = symlinks;
        spec.getSpec().source.emptyDirectories = emptyDirectories;
        return TestResources.create(client, spec);
    }

    private String planned(MigrationJob job) {
        String plan = TestResources.createPlanTask(client, job, "").getMetadata().getName();
        TestResources.assign(client, plan, POD_UID);
        worker.run(plan);
        assertThat(TestResources.task(client, plan).getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        return plan;
    }

    /** Runs every Copy task of the job; returns them as they ended. */
    private List<MigrationTask> copyAll(MigrationJob job) {
        List<MigrationTask> done = new ArrayList<>();
        for (MigrationTask copy : copyTasks(job)) {
            String name = copy.getMetadata().getName();
            TestResources.assign(client, name, POD_UID);
            worker.run(name);
            MigrationTask ended = TestResources.task(client, name);
            assertThat(ended.getStatus().phase).as(name + ": " + ended.getStatus().message).isEqualTo(TaskPhase.Succeeded);
            done.add(ended);
        }
        return done;
    }

    private List<MigrationTask> copyTasks(MigrationJob job) {
        return new PlanTesting(client, job, null).tasks(TaskType.Copy);
    }

    /** Every entry of the job's Copy tasks as "kind path", in task order. */
    private List<String> entries(MigrationJob job) {
        return copyTasks(job).stream().flatMap(t -> t.getSpec().files.stream())
                .map(LinkAndDirectoryPoliciesIT::kindAndPath).toList();
    }

    private static String kindAndPath(FileEntry entry) {
        return entry.kindOrFile().name() + " " + entry.path;
    }

    private List<String> skippedEntries(String plan) {
        List<FileFailure> entries = TestResources.task(client, plan).getStatus().skippedEntries;
        return entries == null ? List.of() : entries.stream().map(e -> e.path + " " + e.code).toList();
    }

    /** The job's objects (keys relative to its prefix) and their bodies. */
    private Map<String, String> objects(MigrationJob job) {
        String prefix = job.getSpec().destination.prefix + "/";
        Map<String, String> objects = new TreeMap<>();
        for (S3Object o : S3.server().client().listObjectsV2Paginator(b -> b.bucket(S3.bucket()).prefix(prefix))
                .contents()) {
            if (o.key().startsWith(prefix + ".ferry/")) {
                continue;
            }
            String body = S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(o.key())).asUtf8String();
            objects.put(o.key().substring(prefix.length()), body);
        }
        return objects;
    }

    private Map<String, String> metadata(MigrationJob job, String path) {
        return S3.server().client().headObject(b -> b.bucket(S3.bucket())
                .key(job.getSpec().destination.prefix + "/" + path)).metadata();
    }
}
