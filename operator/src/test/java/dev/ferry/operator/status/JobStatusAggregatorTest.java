package dev.ferry.operator.status;

import static dev.ferry.operator.TestObjects.job;
import static dev.ferry.operator.TestObjects.pod;
import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.AuditMode;
import dev.ferry.api.AuditResult;
import dev.ferry.api.FileFailure;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.WorkersSpec;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStatusAggregatorTest {
    private static final Instant START = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant NOW = START.plusSeconds(100);

    private final JobStatusAggregator aggregator =
            new JobStatusAggregator(new WorkerLiveness(Duration.ofSeconds(60), Duration.ofDays(1)));

    @Test
    void sumsPlannedTotalsAndCopiedCountsAndReportsProgressByBytes() {
        MigrationJobStatus status = aggregate(job("j"), List.of(
                plan("j-plan", TaskPhase.Succeeded, 10, 1000),
                copy("j-plan-00001", TaskPhase.Succeeded, 4, 1, 0, 400),
                copy("j-plan-00002", TaskPhase.Running, 1, 0, 0, 100)));

        assertThat(status.files.total).isEqualTo(10);
        assertThat(status.files.copied).isEqualTo(5);
        assertThat(status.files.skipped).isEqualTo(1);
        assertThat(status.bytes.total).isEqualTo(1000);
        assertThat(status.bytes.copied).isEqualTo(500);
        assertThat(status.tasks.succeeded).isEqualTo(2);
        assertThat(status.tasks.running).isEqualTo(1);
        assertThat(status.planned).isTrue();
        assertThat(status.phase).isEqualTo(JobPhase.Running);
        assertThat(status.progress).isEqualTo("50%");
        assertThat(status.throughput.bytesPerSecond).isEqualTo(5);
        assertThat(status.completionTime).isNull();
    }

    @Test
    void staysPlanningWhileAnyPlanTaskIsUnfinished() {
        MigrationJobStatus status = aggregate(job("j"), List.of(
                plan("j-plan", TaskPhase.Succeeded, 10, 1000),
                plan("j-plan-sub", TaskPhase.Running, 3, 0),
                copy("j-plan-00001", TaskPhase.Succeeded, 10, 0, 0, 1000)));

        assertThat(status.phase).isEqualTo(JobPhase.Planning);
        assertThat(status.planned).isFalse();
    }

    @Test
    void succeedsOnlyWhenTheCountsAddUp() {
        MigrationJobStatus ok = aggregate(job("j"), List.of(
                plan("j-plan", TaskPhase.Succeeded, 3, 300),
                copy("j-plan-00001", TaskPhase.Succeeded, 2, 1, 0, 200), audit(TaskPhase.Succeeded, 3, 0)));
        assertThat(ok.phase).isEqualTo(JobPhase.Succeeded);
        assertThat(ok.progress).isEqualTo("100%");
        assertThat(ok.completionTime).isEqualTo(NOW.toString());
        assertThat(ready(ok).getStatus()).isEqualTo("True");

        MigrationJobStatus missing = aggregate(job("j"), List.of(
                plan("j-plan", TaskPhase.Succeeded, 4, 400),
                copy("j-plan-00001", TaskPhase.Succeeded, 2, 1, 0, 200), audit(TaskPhase.Succeeded, 4, 0)));
        assertThat(missing.phase).isEqualTo(JobPhase.Failed);
        assertThat(ready(missing).getReason()).isEqualTo("Failed");
        assertThat(ready(missing).getMessage()).contains("counts do not add up: total 4")
                .contains("1 planned file(s) have no outcome; was a task deleted before it finished (kubectl delete mt)?");
    }

    @Test
    void countsOneFileInTheSingular() {
        MigrationJobStatus one = aggregate(job("j"), List.of(plan("j-plan", TaskPhase.Succeeded, 1, 100),
                copy("j-plan-00001", TaskPhase.Succeeded, 1, 0, 0, 100), audit(TaskPhase.Succeeded, 1, 0)));

        assertThat(ready(one).getMessage()).startsWith("1 file migrated (copied 1, skipped 0)")
                .contains("the audit found the 1 planned file in the destination");
        assertThat(Conditions.find(one.conditions, Conditions.VERIFIED).orElseThrow().getMessage())
                .startsWith("checked 1 planned file (0 missing");
        MigrationJobStatus running = aggregate(job("j"), List.of(plan("j-plan", TaskPhase.Succeeded, 1, 100),
                copy("j-plan-00001", TaskPhase.Running, 0, 0, 0, 0)));
        assertThat(ready(running).getMessage()).isEqualTo("0 of 1 file done");
    }

    @Test
    void countsWhatPlanningLeftOutByPolicyApartFromTheFilesAndSaysSo() {
        MigrationTask plan = plan("j-plan", TaskPhase.Succeeded, 3, 300);
        plan.getStatus().progress.skipped = 2; // a link not followed, a FIFO
        MigrationJob job = job("j");
        job.setStatus(started());
        job.getStatus().history = new MigrationJobStatus.TaskHistory();
        job.getStatus().history.folded.files.leftOut = 5; // from child plans folded away
        job.getStatus().history.folded.tasks = 1;
        job.getStatus().history.folded.plans = 1;

        MigrationTask audit = audit(TaskPhase.Succeeded, 3, 0);
        audit.getStatus().audit.leftOutReport = "p/.ferry/uid/left-out.jsonl";
        audit.getStatus().audit.leftOutLines = 7L;

        MigrationJobStatus done = aggregate(job, List.of(plan, copy("j-plan-00001", TaskPhase.Succeeded, 3, 0, 0, 300),
                audit));

        assertThat(done.phase).isEqualTo(JobPhase.Succeeded);
        assertThat(done.files.total).isEqualTo(3);
        assertThat(done.files.leftOut).isEqualTo(7);
        assertThat(ready(done).getMessage()).contains("; 7 entries left out by policy (symbolic links, special files")
                .contains("listed in p/.ferry/uid/left-out.jsonl");
        assertThat(done.audit.leftOutReport).as("the audit's result, on the job").isEqualTo("p/.ferry/uid/left-out.jsonl");
        assertThat(done.failureReport).as("left out is not failed").isNull();
    }

    @Test
    void aFailedPlanIsExplainedInItsOwnWords() {
        MigrationTask plan = plan("j-plan", TaskPhase.Failed, 0, 0);
        plan.getStatus().message = "source directory /mnt/source/projets does not exist";

        MigrationJobStatus failed = aggregate(job("j"), List.of(plan, audit(TaskPhase.Succeeded, 0, 0)));

        assertThat(failed.phase).isEqualTo(JobPhase.Failed);
        assertThat(ready(failed).getMessage()).startsWith("planning failed in j-plan: the tree was not fully listed"
                + " (j-plan: source directory /mnt/source/projets does not exist)");
    }

    @Test
    void failsNamingTheFailedFilesAndKeepsTheFailuresBounded() {
        MigrationTask failedCopy = copy("j-plan-00001", TaskPhase.Failed, 1, 0, 1, 100);
        failedCopy.getStatus().failures = List.of(new FileFailure("a/locked", "ACCESS_DENIED", "denied"));
        MigrationJobStatus status = aggregate(job("j"), List.of(plan("j-plan", TaskPhase.Succeeded, 2, 200), failedCopy,
                audit(TaskPhase.Succeeded, 2, 0)));

        assertThat(status.phase).isEqualTo(JobPhase.Failed);
        assertThat(ready(status).getMessage()).contains("1 file(s) failed").contains("1 task(s) failed");
        assertThat(status.failures).extracting(f -> f.path).containsExactly("a/locked");
    }

    @Test
    void countsEveryFileAFailedTaskLeavesAndTheFailedFilesOfSucceededTasks() {
        MigrationTask withFailure = copy("j-plan-00001", TaskPhase.Succeeded, 2, 1, 1, 200);
        withFailure.getSpec().fileCount = 4;
        withFailure.getStatus().failures = List.of(new FileFailure("a/locked", "ACCESS_DENIED", "denied"));
        MigrationTask givenUp = copy("j-plan-00002", TaskPhase.Failed, 1, 0, 0, 100);
        givenUp.getSpec().fileCount = 5;
        givenUp.getStatus().failures = List.of(new FileFailure("b/2", "HOLDERS_DIED", "not migrated"));
        MigrationTask neverMoved = copy("j-plan-00003", TaskPhase.Failed, 0, 0, 0, 0);
        neverMoved.getSpec().fileCount = 2;
        neverMoved.getStatus().progress = null;

        MigrationJobStatus status = aggregate(job("j"), List.of(plan("j-plan", TaskPhase.Succeeded, 11, 1100),
                withFailure, givenUp, neverMoved, audit(TaskPhase.Succeeded, 11, 0)));

        assertThat(status.files.failed).as("1 reported + 4 left by 00002 + 2 left by 00003").isEqualTo(7);
        assertThat(status.files.total).isEqualTo(status.files.copied + status.files.skipped + status.files.failed);
        assertThat(status.phase).isEqualTo(JobPhase.Failed);
        assertThat(ready(status).getMessage()).contains("7 file(s) failed").doesNotContain("do not add up");
        assertThat(status.failures).extracting(f -> f.path).containsExactly("a/locked", "b/2");
    }

    @Test
    void keepsAFailureInTheSampleAfterItsTaskWasFoldedAway() {
        MigrationJob job = job("j");
        job.setStatus(started());
        job.getStatus().failures = List.of(new FileFailure("a/locked", "ACCESS_DENIED", "denied"));
        job.getStatus().history = new MigrationJobStatus.TaskHistory();
        job.getStatus().history.folded.tasks = 1;
        job.getStatus().history.folded.files.failed = 1;
        MigrationTask later = copy("j-plan-00002", TaskPhase.Running, 0, 0, 1, 0);
        later.getStatus().failures = List.of(new FileFailure("b/changed", "SOURCE_CHANGED", "changed"));

        MigrationJobStatus status = aggregate(job, List.of(plan("j-plan", TaskPhase.Succeeded, 5, 500), later));

        assertThat(status.files.failed).isEqualTo(2);
        assertThat(status.failures).extracting(f -> f.path).containsExactly("a/locked", "b/changed");
        assertThat(aggregate(jobWith(status), List.of(plan("j-plan", TaskPhase.Succeeded, 5, 500), later)).failures)
                .as("nothing twice").hasSize(2);
    }

    @Test
    void isDegradedWhileTheDestinationIsUnavailableAndSaysWhenItIsFull() {
        MigrationJob job = job("j");
        job.setStatus(started());
        MigrationTask refused = copy("j-plan-00001", TaskPhase.Pending, 0, 0, 0, 0);
        refused.getStatus().storeError = new MigrationTaskStatus.StoreError();
        refused.getStatus().storeError.code = "S3_QUOTA_EXCEEDED";
        refused.getStatus().storeError.message = "QuotaExceeded: bucket quota reached";
        refused.getStatus().storeError.time = NOW.minusSeconds(5).toString();
        MigrationTask plan = plan("j-plan", TaskPhase.Succeeded, 1, 10);

        MigrationJobStatus full = aggregate(job, List.of(plan, refused));
        assertThat(Conditions.find(full.conditions, Conditions.DEGRADED).orElseThrow()).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("DestinationUnavailable");
            assertThat(c.getMessage()).contains("S3_QUOTA_EXCEEDED").contains("bucket quota reached");
        });
        assertThat(Conditions.find(full.conditions, Conditions.QUOTA_EXCEEDED).orElseThrow()).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("QuotaExceeded");
        });

        refused.getStatus().progressTime = NOW.minusSeconds(1).toString(); // a probe got through
        MigrationJobStatus again = aggregate(jobWith(full), List.of(plan, refused));
        assertThat(Conditions.find(again.conditions, Conditions.DEGRADED).orElseThrow().getStatus()).isEqualTo("False");
        assertThat(Conditions.find(again.conditions, Conditions.QUOTA_EXCEEDED).orElseThrow().getStatus()).isEqualTo("False");
        assertThat(Conditions.find(aggregate(job("j"), List.of(plan)).conditions, Conditions.QUOTA_EXCEEDED))
                .as("only on jobs that met a quota").isEmpty();
    }

    private static MigrationJob jobWith(MigrationJobStatus status) {
        MigrationJob job = job("j");
        job.setStatus(status);
        return job;
    }

    @Test
    void keepsLastTransitionTimeWhileAConditionKeepsItsStatus() {
        MigrationJob job = job("j");
        List<MigrationTask> tasks = List.of(plan("j-plan", TaskPhase.Running, 1, 10));
        MigrationJobStatus first = aggregate(job, tasks);
        job.setStatus(first);

        MigrationJobStatus second = aggregator.aggregate(new JobState(job, tasks, List.of(), null, NOW.plusSeconds(60)));

        assertThat(ready(second).getLastTransitionTime()).isEqualTo(ready(first).getLastTransitionTime());
        assertThat(ready(second).getObservedGeneration()).isEqualTo(1L);
    }

    @Test
    void isDegradedWhenTasksWaitAndNoWorkerIsReady() {
        List<MigrationTask> tasks = List.of(plan("j-plan", TaskPhase.Pending, 0, 0));
        MigrationJob job = job("j");
        job.setStatus(started());

        MigrationJobStatus noWorkers = aggregator.aggregate(new JobState(job, tasks, List.of(pod("w1", false, NOW)), null, NOW));
        Condition degraded = Conditions.find(noWorkers.conditions, Conditions.DEGRADED).orElseThrow();
        assertThat(degraded.getStatus()).isEqualTo("True");
        assertThat(degraded.getReason()).isEqualTo("WorkersUnavailable");

        MigrationJobStatus withWorker = aggregator.aggregate(new JobState(job, tasks, List.of(pod("w1", true, NOW)), null, NOW));
        assertThat(Conditions.find(withWorker.conditions, Conditions.DEGRADED).orElseThrow().getStatus()).isEqualTo("False");
    }

    @Test
    void saysWhenTheSpecAsksForNoWorkers() {
        MigrationJob job = job("j");
        job.setStatus(started());
        job.getSpec().workers = new WorkersSpec();
        job.getSpec().workers.replicas = 0;

        MigrationJobStatus status = aggregator.aggregate(new JobState(job, List.of(plan("j-plan", TaskPhase.Pending, 0, 0)),
                List.of(), null, NOW));

        assertThat(Conditions.find(status.conditions, Conditions.DEGRADED).orElseThrow().getMessage())
                .isEqualTo("1 task(s) wait and no worker of the job can take tasks: spec.workers.replicas is 0"
                        + " (set it above 0; spec.suspend pauses a job)");
    }

    @Test
    void countsATaskThatIsBeingDeletedOnlyThroughTheHistory() {
        MigrationJob job = job("j");
        job.setStatus(started());
        job.getStatus().history = new MigrationJobStatus.TaskHistory();
        job.getStatus().history.folded.tasks = 2;
        job.getStatus().history.folded.files.copied = 5;
        job.getStatus().history.folded.bytes.copied = 500;
        job.getStatus().history.deleting = List.of("j-plan-00001"); // folded, not yet deleted
        MigrationTask plan = plan("j-plan", TaskPhase.Succeeded, 10, 1000);
        MigrationTask beingDeleted = copy("j-plan-00001", TaskPhase.Succeeded, 3, 0, 0, 300);
        MigrationTask running = copy("j-plan-00003", TaskPhase.Running, 1, 0, 0, 100);

        MigrationJobStatus before = aggregate(job, List.of(plan, beingDeleted, running));
        MigrationJobStatus after = aggregate(job, List.of(plan, running));

        for (MigrationJobStatus status : List.of(before, after)) {
            assertThat(status.files.copied).isEqualTo(6);
            assertThat(status.bytes.copied).isEqualTo(600);
            assertThat(status.tasks.succeeded).isEqualTo(3);
            assertThat(status.tasks.running).isEqualTo(1);
        }
    }

    @Test
    void keepsTheTotalsAndThePlannedVerdictOfAFoldedRootPlan() {
        MigrationJob job = job("j");
        job.setStatus(started());
        job.getStatus().history = new MigrationJobStatus.TaskHistory();
        job.getStatus().history.folded.tasks = 2;
        job.getStatus().history.folded.plans = 1;
        job.getStatus().history.folded.files.total = 3;
        job.getStatus().history.folded.files.copied = 2;
        job.getStatus().history.folded.bytes.total = 300;
        job.getStatus().history.folded.bytes.copied = 200;

        MigrationJobStatus running = aggregate(job, List.of(copy("j-plan-00002", TaskPhase.Running, 0, 0, 0, 0)));
        assertThat(running.planned).isTrue();
        assertThat(running.phase).isEqualTo(JobPhase.Running);
        assertThat(running.files.total).isEqualTo(3);
        assertThat(running.bytes.total).isEqualTo(300);

        MigrationJobStatus done = aggregate(job, List.of(copy("j-plan-00002", TaskPhase.Succeeded, 1, 0, 0, 100),
                audit(TaskPhase.Succeeded, 3, 0)));
        assertThat(done.phase).isEqualTo(JobPhase.Succeeded);
        assertThat(done.tasks.succeeded).isEqualTo(3);
        assertThat(done.progress).isEqualTo("100%");
    }

    @Test
    void isVerifyingOnceEveryTaskFinishedUntilTheAuditHas() {
        List<MigrationTask> work = List.of(plan("j-plan", TaskPhase.Succeeded, 3, 300),
                copy("j-plan-00001", TaskPhase.Succeeded, 3, 0, 0, 300));

        MigrationJobStatus before = aggregate(job("j"), work);
        assertThat(before.phase).isEqualTo(JobPhase.Verifying);
        assertThat(before.completionTime).isNull();
        assertThat(ready(before).getMessage()).contains("the audit starts");

        MigrationTask auditing = audit(TaskPhase.Running, 2, 0);
        auditing.getStatus().audit.completionTime = null;
        MigrationJobStatus during = aggregate(job("j"), with(work, auditing));
        assertThat(during.phase).isEqualTo(JobPhase.Verifying);
        assertThat(during.tasks.running).as("the audit is not one of the job's copy tasks").isZero();
        Condition verifying = Conditions.find(during.conditions, Conditions.VERIFIED).orElseThrow();
        assertThat(verifying.getStatus()).isEqualTo("False");
        assertThat(verifying.getReason()).isEqualTo("Verifying");
        assertThat(verifying.getMessage()).contains("checked 2 planned files");

        MigrationJobStatus after = aggregate(job("j"), with(work, audit(TaskPhase.Succeeded, 3, 0)));
        assertThat(after.phase).isEqualTo(JobPhase.Succeeded);
        assertThat(after.files.copied).as("the audit's checks are not copies").isEqualTo(3);
        Condition verified = Conditions.find(after.conditions, Conditions.VERIFIED).orElseThrow();
        assertThat(verified.getStatus()).isEqualTo("True");
        assertThat(verified.getReason()).isEqualTo("AuditPassed");
        assertThat(verified.getMessage()).contains("checked 3 planned files").contains("in 4.5 s");
        assertThat(after.audit.checked).isEqualTo(3);
    }

    @Test
    void saysHowManyFilesChangedAfterPlanningWhenTheirObjectsHoldALaterVersion() {
        List<MigrationTask> work = List.of(plan("j-plan", TaskPhase.Succeeded, 3, 300),
                copy("j-plan-00001", TaskPhase.Succeeded, 3, 0, 0, 300));
        MigrationTask audit = audit(TaskPhase.Succeeded, 3, 0);
        audit.getStatus().audit.laterVersions = 2L;

        MigrationJobStatus status = aggregate(job("j"), with(work, audit));

        assertThat(status.phase).as("right: the copy stores a file whole as it reads it").isEqualTo(JobPhase.Succeeded);
        assertThat(ready(status).getMessage()).contains("2 changed after planning (their objects hold the later version)");
        assertThat(Conditions.find(status.conditions, Conditions.VERIFIED).orElseThrow().getMessage())
                .contains("0 still wrong; 2 changed after planning");
        assertThat(status.audit.laterVersions).isEqualTo(2);
    }

    @Test
    void failsWhenTheAuditFindsFilesStillMissingAndNamesTheReport() {
        MigrationTask audit = audit(TaskPhase.Succeeded, 3, 1);
        audit.getStatus().audit.failureReport = "p/.ferry/uid/failure-report.jsonl";
        MigrationJobStatus status = aggregate(job("j"), List.of(plan("j-plan", TaskPhase.Succeeded, 3, 300),
                copy("j-plan-00001", TaskPhase.Succeeded, 3, 0, 0, 300), audit));

        assertThat(status.phase).isEqualTo(JobPhase.Failed);
        assertThat(status.failureReport).isEqualTo("p/.ferry/uid/failure-report.jsonl");
        assertThat(ready(status).getMessage()).contains("the audit found 1 planned file(s) missing or different")
                .contains("failure report: p/.ferry/uid/failure-report.jsonl");
        Condition verified = Conditions.find(status.conditions, Conditions.VERIFIED).orElseThrow();
        assertThat(verified.getStatus()).isEqualTo("False");
        assertThat(verified.getReason()).isEqualTo("AuditFoundProblems");
    }

    @Test
    void failsWhenTheAuditTaskFailed() {
        MigrationTask audit = audit(TaskPhase.Failed, 0, 0);
        audit.getStatus().message = "TASK_FAILED: the store kept refusing";
        MigrationJobStatus status = aggregate(job("j"), List.of(plan("j-plan", TaskPhase.Succeeded, 1, 100),
                copy("j-plan-00001", TaskPhase.Succeeded, 1, 0, 0, 100), audit));

        assertThat(status.phase).isEqualTo(JobPhase.Failed);
        assertThat(ready(status).getMessage()).contains("the audit failed: TASK_FAILED: the store kept refusing");
    }

    @Test
    void isDegradedWithWorkersMissingWhenAWorkersLeaseExpired() {
        MigrationJob job = job("j");
        job.setStatus(started());
        List<MigrationTask> tasks = List.of(plan("j-plan", TaskPhase.Running, 1, 10));
        Pod hung = pod("w1", true, START);
        Pod alive = pod("w2", true, START);

        Lease hungsLast = lease(hung, NOW.minusSeconds(30));
        aggregator.aggregate(new JobState(job, tasks, List.of(hung, alive),
                List.of(hungsLast, lease(alive, NOW.minusSeconds(30))), null, NOW.minusSeconds(30))); // both seen renewed
        MigrationJobStatus status = aggregator.aggregate(new JobState(job, tasks, List.of(hung, alive),
                List.of(hungsLast, lease(alive, NOW.minusSeconds(1))), null, NOW));

        Condition degraded = Conditions.find(status.conditions, Conditions.DEGRADED).orElseThrow();
        assertThat(degraded.getStatus()).isEqualTo("True");
        assertThat(degraded.getReason()).isEqualTo("WorkersMissing");
        assertThat(degraded.getMessage()).contains("1 worker(s)").contains("Lease of worker w1 expired");
    }

    private static Lease lease(Pod pod, Instant renewed) {
        return new LeaseBuilder()
                .withNewMetadata().withName(pod.getMetadata().getName()).endMetadata()
                .withNewSpec().withHolderIdentity(pod.getMetadata().getUid()).withLeaseDurationSeconds(15)
                    .withRenewTime(renewed.atZone(ZoneOffset.UTC)).endSpec()
                .build();
    }

    private MigrationJobStatus aggregate(MigrationJob job, List<MigrationTask> tasks) {
        if (job.getStatus() == null || job.getStatus().startTime == null) {
            job.setStatus(started());
        }
        List<Pod> pods = List.of(pod("w1", true, START));
        return aggregator.aggregate(new JobState(job, tasks, pods, null, NOW));
    }

    private static MigrationJobStatus started() {
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = JobPhase.Planning;
        status.startTime = START.toString();
        return status;
    }

    private static Condition ready(MigrationJobStatus status) {
        return Conditions.find(status.conditions, Conditions.READY).orElseThrow();
    }

    private static MigrationTask plan(String name, TaskPhase phase, long files, long bytes) {
        MigrationTask task = task(name, TaskType.Plan, phase);
        task.getStatus().progress.total = files;
        task.getStatus().progress.totalBytes = bytes;
        return task;
    }

    private static List<MigrationTask> with(List<MigrationTask> tasks, MigrationTask more) {
        List<MigrationTask> all = new java.util.ArrayList<>(tasks);
        all.add(more);
        return all;
    }

    /** The job's Audit task, with what it checked and how many files it reported still wrong. */
    private static MigrationTask audit(TaskPhase phase, long checked, long reported) {
        MigrationTask task = task("j-audit", TaskType.Audit, phase);
        AuditResult result = new AuditResult();
        result.mode = AuditMode.Plan;
        result.checked = checked;
        result.reported = reported;
        result.startTime = START.plusSeconds(90).toString();
        result.completionTime = START.plusSeconds(90).plusMillis(4500).toString();
        task.getStatus().audit = result;
        return task;
    }

    private static MigrationTask copy(String name, TaskPhase phase, long copied, long skipped, long failed, long bytes) {
        MigrationTask task = task(name, TaskType.Copy, phase);
        task.getStatus().progress.copied = copied;
        task.getStatus().progress.skipped = skipped;
        task.getStatus().progress.failed = failed;
        task.getStatus().progress.files = copied + skipped + failed;
        task.getStatus().progress.bytes = bytes;
        return task;
    }
}
