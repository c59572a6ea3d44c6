package dev.ferry.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.state.Owners;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EarlierJobLeftoversTest {
    private static final Instant CREATED = Instant.parse("2026-12-05T10:00:00Z");

    private final MigrationJob job = job();

    @Test
    void aJobsOwnTasksDeploymentAndPodsAreNoLeftovers() {
        MigrationTask own = owned(TestObjects.task("books-plan", TaskType.Plan, TaskPhase.Pending), job.getMetadata().getUid());
        Deployment deployment = deployment(job.getMetadata().getUid());
        Pod sameSecond = TestObjects.pod("w1", true, CREATED.plusMillis(900));

        EarlierJobLeftovers leftovers = EarlierJobLeftovers.among(job, List.of(own), List.of(sameSecond), deployment);

        assertThat(leftovers.isEmpty()).isTrue();
        assertThat(leftovers.withoutLeftovers(List.of(own))).containsExactly(own);
    }

    @Test
    void tasksAndTheDeploymentOfAnotherUidAndPodsFromBeforeTheJobAreLeftovers() {
        MigrationTask own = owned(TestObjects.task("books-plan-00002", TaskType.Copy, TaskPhase.Pending), job.getMetadata().getUid());
        MigrationTask old = owned(TestObjects.task("books-plan", TaskType.Plan, TaskPhase.Succeeded), "uid-of-the-earlier-job");
        MigrationTask orphaned = TestObjects.task("books-audit", TaskType.Audit, TaskPhase.Succeeded); // no owner left
        Pod oldPod = TestObjects.pod("w-old", true, CREATED.minusSeconds(1));
        Pod newPod = TestObjects.pod("w-new", true, CREATED.plusSeconds(3));
        Deployment oldDeployment = deployment("uid-of-the-earlier-job");

        EarlierJobLeftovers leftovers = EarlierJobLeftovers.among(job, List.of(own, old, orphaned),
                List.of(oldPod, newPod), oldDeployment);

        assertThat(leftovers.isEmpty()).isFalse();
        assertThat(leftovers.tasks()).containsExactly(old, orphaned);
        assertThat(leftovers.deployment()).isSameAs(oldDeployment);
        assertThat(leftovers.pods()).containsExactly(oldPod);
        assertThat(leftovers.podsThatMayRun()).isEqualTo(1);
        assertThat(leftovers.withoutLeftovers(List.of(own, old, orphaned))).containsExactly(own);
        assertThat(leftovers.podsWithoutLeftovers(List.of(oldPod, newPod))).containsExactly(newPod);
    }

    @Test
    void anOldPodThatHasStoppedIsNoReasonToWait() {
        Pod stopped = TestObjects.pod("w-old", false, CREATED.minusSeconds(60));
        stopped.getStatus().setPhase("Failed");

        EarlierJobLeftovers leftovers = EarlierJobLeftovers.among(job, List.of(), List.of(stopped), null);

        assertThat(leftovers.pods()).containsExactly(stopped);
        assertThat(leftovers.podsThatMayRun()).isZero();
    }

    private static MigrationJob job() {
        MigrationJob job = TestObjects.job("books");
        job.getMetadata().setCreationTimestamp(CREATED.toString());
        return job;
    }

    private static MigrationTask owned(MigrationTask task, String jobUid) {
        task.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("ferry.dev/v1alpha1")
                .withKind("MigrationJob").withName("books").withUid(jobUid).withController(true).build()));
        return task;
    }

    private Deployment deployment(String jobUid) {
        MigrationJob owner = TestObjects.job("books");
        owner.getMetadata().setUid(jobUid);
        return new DeploymentBuilder().withNewMetadata().withName("books-worker")
                .withOwnerReferences(Owners.controlledBy(owner)).endMetadata().build();
    }
}
