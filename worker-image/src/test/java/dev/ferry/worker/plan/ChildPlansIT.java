package dev.ferry.worker.plan;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Large trees are planned by several Plan tasks, and however they are interrupted every file is in exactly one task. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class ChildPlansIT {
    static final String OTHER_POD = "0b7c7e52-2222-4a3a-9d57-workerpod02";
    static KubernetesMockServer server;
    static KubernetesClient client;
    static int jobs;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("child-plans");

    @TempDir
    Path source;
    MigrationJob job;
    EndpointPool store;
    PlanTesting plans;

    @BeforeAll
    static void credentials() {
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void mixedTree() {
        PlanTesting.mixedTree(source);
        newJob(PlanTesting.mixedTreeJob("tree-" + (++jobs), S3.server().endpoint(), S3.bucket()));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void largeDirectoriesGoToChildPlansAndEveryFileIsInExactlyOneTask() throws Exception {
        String root = plans.rootPlan();
        PlanRunner runner = plans.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT);

        plans.handOutAndRun(runner, root, POD_UID, StopSignal.NEVER);

        String big = ChildPlans.name(jobName(), "big");
        String deep = ChildPlans.name(jobName(), "nest/deep");
        assertThat(plans.tasks(TaskType.Plan)).extracting(t -> t.getMetadata().getName())
                .containsExactlyInAnyOrder(root, big, deep);
        assertThat(TestResources.task(client, big).getSpec().plan.directory).isEqualTo("big");
        assertThat(TestResources.task(client, deep).getSpec().plan.directory).isEqualTo("nest/deep");
        assertThat(TestResources.task(client, deep).getMetadata().getAnnotations())
                .containsEntry(Ferry.PLAN_ANNOTATION, root);
        assertThat(big).matches(jobName() + "-plan-d[0-9a-f]{16}");
        assertThat(plans.coveredPaths()).noneMatch(p -> p.startsWith("big/") || p.startsWith("nest/deep/"));
        MigrationTask rootDone = TestResources.task(client, root);
        assertThat(rootDone.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(rootDone.getStatus().progress.total).isEqualTo(137);

        plans.runAllPlans(runner, POD_UID);

        assertEveryFileInExactlyOneTask();
        assertThat(plans.tasks(TaskType.Copy)).filteredOn(t -> t.getMetadata().getName().startsWith(big))
                .singleElement().satisfies(t -> assertThat(t.getSpec().fileCount).isEqualTo(45));
    }

    @Test
    void aPlanHandedToAnotherPodWhileItRunsStopsAndTheNewHolderGoesOnWithoutDuplicatesOrGaps() throws Exception {
        String root = plans.rootPlan();
        AtomicInteger roomChecks = new AtomicInteger();
        // the operator takes the plan back (a new epoch, another pod) just as it is about to create its third task
        ActiveTasks takenAway = () -> {
            if (roomChecks.incrementAndGet() == 3) {
                TestResources.assign(client, root, OTHER_POD);
            }
            return 0;
        };
        PlanRunner first = plans.runner(source, takenAway, PlanRunner.Settings.DEFAULT);

        assertThatThrownBy(() -> plans.handOutAndRun(first, root, POD_UID, StopSignal.NEVER))
                .isInstanceOf(LostTaskException.class);
        assertThat(TestResources.task(client, root).getStatus().progress.tasksCreated).isEqualTo(2);
        assertThat(plans.tasks(TaskType.Parts)).as("created before the loss was noticed").hasSize(3);

        plans.runAllPlans(plans.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT), OTHER_POD);

        assertEveryFileInExactlyOneTask();
    }

    @Test
    void aPlanWithoutRoomGivesItsWorkerBackForAWhileAndThenGoesOn() throws Exception {
        String root = plans.rootPlan();
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean copiesFinished = new AtomicBoolean();
        ActiveTasks fillsUp = () -> calls.incrementAndGet() <= 2 || copiesFinished.get() ? 0 : 200;
        PlanRunner.Settings impatient = new PlanRunner.Settings(Duration.ofMillis(10), Duration.ofMillis(50),
                Duration.ofSeconds(30));
        PlanRunner runner = plans.runner(source, fillsUp, impatient);

        plans.handOutAndRun(runner, root, POD_UID, StopSignal.NEVER);

        MigrationTask released = TestResources.task(client, root);
        assertThat(released.getStatus().phase).isEqualTo(TaskPhase.Pending);
        assertThat(released.getStatus().message).contains("released to make room");
        assertThat(Instant.parse(released.getStatus().notBefore)).isAfter(Instant.now().plusSeconds(20));
        assertThat(released.getStatus().progress.tasksCreated).isEqualTo(2);
        assertThat(released.getStatus().progress.checkpoint).isEqualTo("c.txt");

        copiesFinished.set(true);
        plans.runAllPlans(runner, POD_UID);

        assertEveryFileInExactlyOneTask();
    }

    @Test
    void noMorePlansRunAtOnceThanTheJobHasWorkersPlusOne() throws Exception {
        store.close();
        MigrationJob oneWorker = PlanTesting.mixedTreeJob("one-worker-" + (++jobs), S3.server().endpoint(), S3.bucket());
        oneWorker.getSpec().workers.replicas = 1;
        newJob(oneWorker);
        String root = plans.rootPlan();
        PlanRunner runner = plans.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT);

        plans.handOutAndRun(runner, root, POD_UID, StopSignal.NEVER);

        // big/ went to a child; with two plans unfinished, nest/deep was walked by the root itself
        assertThat(plans.tasks(TaskType.Plan)).extracting(t -> t.getMetadata().getName())
                .containsExactlyInAnyOrder(root, ChildPlans.name(jobName(), "big"));
        plans.runAllPlans(runner, POD_UID);
        assertEveryFileInExactlyOneTask();
    }

    @Test
    void aChildPlanWhoseDirectoryWasDeletedMeanwhileHasNothingToPlan() throws Exception {
        String root = plans.rootPlan();
        PlanRunner runner = plans.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT);
        plans.handOutAndRun(runner, root, POD_UID, StopSignal.NEVER);
        try (Stream<Path> big = Files.walk(source.resolve("big"))) {
            big.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }

        plans.handOutAndRun(runner, ChildPlans.name(jobName(), "big"), POD_UID, StopSignal.NEVER);

        MigrationTask child = TestResources.task(client, ChildPlans.name(jobName(), "big"));
        assertThat(child.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(child.getStatus().message).contains("no longer exists");
        assertThat(child.getStatus().progress.total).isZero();
    }

    private void assertEveryFileInExactlyOneTask() {
        List<String> files = PlanTesting.regularFiles(source);
        assertThat(plans.coveredPaths()).containsExactlyElementsOf(files);
        assertThat(plans.allPlansSucceeded()).isTrue();
        assertThat(plans.plannedFiles()).isEqualTo(files.size());
        assertThat(plans.plannedBytes()).isEqualTo(PlanTesting.bytesOf(source));
        for (MigrationTask plan : plans.tasks(TaskType.Plan)) {
            String prefix = plan.getMetadata().getName() + "-";
            long numbered = Stream.concat(plans.tasks(TaskType.Copy).stream(), plans.tasks(TaskType.Parts).stream())
                    .map(t -> t.getMetadata().getName())
                    .filter(n -> n.startsWith(prefix) && n.substring(prefix.length()).matches("\\d{5}"))
                    .count();
            assertThat(plan.getStatus().progress.tasksCreated).as(plan.getMetadata().getName()).isEqualTo((int) numbered);
        }
    }

    private void newJob(MigrationJob spec) {
        job = TestResources.create(client, spec);
        store = S3ClientFactory.forJob(client, job);
        plans = new PlanTesting(client, job, store);
    }

    private String jobName() {
        return job.getMetadata().getName();
    }
}
