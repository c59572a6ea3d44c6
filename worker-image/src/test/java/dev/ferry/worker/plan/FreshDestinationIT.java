package dev.ferry.worker.plan;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A plan marks its Copy tasks {@code freshDestination} when its directory's folder at the destination held
 * nothing before it planned — one listing per plan, each plan (the root, a child) asking for its own folder —
 * so that their first holders need not list what exists. Anything there, or a policy other than IfDifferent,
 * leaves the mark off; a plan that resumes keeps its first holder's answer.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class FreshDestinationIT {
    static KubernetesMockServer server;
    static KubernetesClient client;
    static int jobs;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("fresh-destination");

    @TempDir
    Path source;
    String prefix;
    EndpointPool store;

    @BeforeAll
    static void credentials() {
        TestResources.createCredentials(client);
    }

    /** The mixed tree: a root plan with files of its own, and child plans for {@code big} and {@code nest/deep}. */
    @BeforeEach
    void mixedTree() {
        PlanTesting.mixedTree(source);
        prefix = "fresh-" + (++jobs);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void everyPlanOfAnEmptyDestinationMarksItsCopyTasksFresh() throws Exception {
        List<MigrationTask> copies = planAll(job -> { });

        assertThat(copies).hasSizeGreaterThan(3)
                .allSatisfy(t -> assertThat(t.getSpec().freshDestination).as(name(t)).isTrue());
    }

    @Test
    void anObjectUnderAPlansFolderLeavesItsTasksAndThoseOfThePlansAboveItUnmarked() throws Exception {
        put(prefix + "/big/already-there.dat");

        List<MigrationTask> copies = planAll(job -> { });

        String big = ChildPlans.name(prefix, "big");
        String deep = ChildPlans.name(prefix, "nest/deep");
        assertThat(copies).filteredOn(t -> name(t).startsWith(big)).isNotEmpty()
                .allSatisfy(t -> assertThat(t.getSpec().freshDestination).as(name(t)).isNull());
        assertThat(copies).filteredOn(t -> !name(t).startsWith(big) && !name(t).startsWith(deep)).isNotEmpty()
                .as("the root's folder holds big/").allSatisfy(t -> assertThat(t.getSpec().freshDestination).isNull());
        assertThat(copies).filteredOn(t -> name(t).startsWith(deep)).isNotEmpty()
                .allSatisfy(t -> assertThat(t.getSpec().freshDestination).as(name(t)).isTrue());
    }

    @Test
    void theStateFolderOfJobsAndKeysBesideThePrefixDoNotCount() throws Exception {
        put(prefix + "/.ferry/4f0c2a4e-an-earlier-job/manifests/x.jsonl");
        put(prefix + "-beside/x.dat");
        put(prefix + "x");

        List<MigrationTask> copies = planAll(job -> { });

        assertThat(copies).allSatisfy(t -> assertThat(t.getSpec().freshDestination).as(name(t)).isTrue());
    }

    @Test
    void onlyIfDifferentTrustsThePlan() throws Exception {
        List<MigrationTask> never = planAll(job -> job.getSpec().overwrite = OverwritePolicy.Never);
        prefix = "fresh-" + (++jobs);
        List<MigrationTask> always = planAll(job -> job.getSpec().overwrite = OverwritePolicy.Always);

        assertThat(never).isNotEmpty().allSatisfy(t -> assertThat(t.getSpec().freshDestination).isNull());
        assertThat(always).isNotEmpty().allSatisfy(t -> assertThat(t.getSpec().freshDestination).isNull());
    }

    @Test
    void aPlanReleasedToMakeRoomKeepsMarkingWhenItResumesWithoutListingAgain() throws Exception {
        PlanTesting plans = newJob(job -> { });
        String root = plans.rootPlan();
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean room = new AtomicBoolean();
        ActiveTasks fillsUp = () -> calls.incrementAndGet() <= 2 || room.get() ? 0 : 200;
        PlanRunner runner = plans.runner(source, fillsUp,
                new PlanRunner.Settings(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(30)));
        plans.handOutAndRun(runner, root, POD_UID, StopSignal.NEVER);
        MigrationTask released = TestResources.task(client, root);
        assertThat(released.getStatus().phase).isEqualTo(TaskPhase.Pending);
        assertThat(released.getStatus().progress.tasksCreated).isEqualTo(2);
        assertThat(released.getStatus().progress.freshDestination).isTrue();
        // the folder is no longer empty (the first tasks' objects would be there): the decision is not asked again
        put(prefix + "/written-while-the-plan-waited.dat");

        room.set(true);
        plans.runAllPlans(runner, POD_UID);

        assertThat(plans.tasks(TaskType.Copy)).hasSizeGreaterThan(3)
                .allSatisfy(t -> assertThat(t.getSpec().freshDestination).as(name(t)).isTrue());
    }

    /** Creates the job (named as its prefix), runs its root plan and every child plan, and returns its Copy tasks. */
    private List<MigrationTask> planAll(Consumer<MigrationJob> customize) throws Exception {
        PlanTesting plans = newJob(customize);
        plans.rootPlan();
        plans.runAllPlans(plans.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT), POD_UID);
        return plans.tasks(TaskType.Copy);
    }

    private PlanTesting newJob(Consumer<MigrationJob> customize) {
        MigrationJob spec = PlanTesting.mixedTreeJob(prefix, S3.server().endpoint(), S3.bucket());
        customize.accept(spec);
        MigrationJob job = TestResources.create(client, spec);
        if (store != null) {
            store.close();
        }
        store = S3ClientFactory.forJob(client, job);
        return new PlanTesting(client, job, store);
    }

    private static String name(MigrationTask task) {
        return task.getMetadata().getName();
    }

    private static void put(String key) {
        S3.server().client().putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromBytes(new byte[1]));
    }
}
