package dev.ferry.worker;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.runtime.ControllerReferences;
import dev.ferry.worker.audit.AuditRunner;
import dev.ferry.worker.config.WorkerConfig;
import dev.ferry.worker.copy.CopyRunner;
import dev.ferry.worker.parts.PartsRunner;
import dev.ferry.worker.plan.PlanRunner;
import dev.ferry.worker.s3.S3Errors;
import dev.ferry.worker.task.Backoff;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.RetryableTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.StoreProblemException;
import dev.ferry.worker.task.TaskFence;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task handed to this pod from start to end: claims it under its current epoch, marks it
 * Running, runs the plan or copy engine, and turns what went wrong into the task's next state
 * (lost: write nothing; the store as a whole failing: back to Pending with {@code storeError} and no
 * attempt used; another failure of the task: back to Pending with attempts + 1 and a backoff).
 */
public final class TaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

    private final WorkerConfig config;
    private final KubernetesClient client;
    private final PlanRunner planRunner;
    private final CopyRunner copyRunner;
    private final PartsRunner partsRunner;
    private final AuditRunner auditRunner;
    private final StopSignal stop;
    private final Clock clock;

    public TaskRunner(WorkerConfig config, KubernetesClient client, PlanRunner planRunner, CopyRunner copyRunner,
                      PartsRunner partsRunner, AuditRunner auditRunner, StopSignal stop, Clock clock) {
        this.config = config;
        this.client = client;
        this.planRunner = planRunner;
        this.copyRunner = copyRunner;
        this.partsRunner = partsRunner;
        this.auditRunner = auditRunner;
        this.stop = stop;
        this.clock = clock;
    }

    public void run(String taskName) {
        Optional<TaskFence> claimed = TaskFence.claim(client, config.namespace(), taskName, config.podUid(), clock);
        if (claimed.isEmpty()) {
            LOG.debug("task {} is not Assigned to this pod any more: nothing to do", taskName);
            return;
        }
        TaskFence fence = claimed.get();
        try {
            MigrationTask task = fence.update(s -> {
                s.phase = TaskPhase.Running;
                s.message = "running on " + config.podName();
            });
            LOG.info("running {} task {} (epoch {})", task.getSpec().type, taskName, fence.epoch());
            MigrationJob job = client.resources(MigrationJob.class).inNamespace(config.namespace())
                    .withName(task.getSpec().jobName).get();
            if (job == null) {
                fail(fence, "job " + task.getSpec().jobName + " does not exist");
                return;
            }
            if (ownedByAnotherJob(task, job)) {
                // Not failed: the task is an earlier job's, which the operator deletes; this one must not run it.
                LOG.warn("task {} belongs to an earlier job named {} (uid {}), not to the job of that name now (uid {}): left alone",
                        taskName, job.getMetadata().getName(), ControllerReferences.uidOf(task), job.getMetadata().getUid());
                return;
            }
            switch (task.getSpec().type) {
                case Plan -> planRunner.run(job, task, fence, stop);
                case Copy -> copyRunner.run(job, task, fence, stop);
                case Parts -> partsRunner.run(job, task, fence, stop);
                case Audit -> auditRunner.run(job, task, fence, stop);
                default -> fail(fence, "unknown task type " + task.getSpec().type);
            }
        } catch (LostTaskException e) {
            LOG.warn("abandoning task: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("task {} interrupted", taskName);
        } catch (RuntimeException e) {
            StoreProblemException store = S3Errors.storeProblem("task " + taskName, e);
            if (store != null) {
                waitForTheStore(fence, store);
            } else if (e instanceof RetryableTaskException) {
                backToPending(fence, e.getMessage());
            } else {
                LOG.error("task {} failed unexpectedly", taskName, e);
                backToPending(fence, "unexpected error: " + e);
            }
        }
    }

    /**
     * Whether the task's controller is a job of this name with another UID: a job deleted and applied again is
     * another job, and a worker of the first one still running must not run the first one's task with the second
     * one's spec. A task without a controller reference (as tests create them) is taken as the job's.
     */
    static boolean ownedByAnotherJob(MigrationTask task, MigrationJob job) {
        String owner = ControllerReferences.uidOf(task);
        return owner != null && !owner.equals(job.getMetadata().getUid());
    }

    /**
     * The store as a whole cannot take the task's writes (a plan's manifest, a copy's listing or files):
     * back to Pending without using an attempt, with {@code storeError}; the engine wrote its progress.
     */
    private void waitForTheStore(TaskFence fence, StoreProblemException store) {
        try {
            fence.update(s -> store.sendBack(s, clock.instant()));
            LOG.warn("task {} waits for the store ({}), no attempt used: {}", fence.taskName(), store.code(),
                    store.getMessage());
        } catch (LostTaskException e) {
            LOG.warn("abandoning task: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("could not hand task {} back ({}); the operator will take it back from this worker",
                    fence.taskName(), e.toString());
        }
    }

    private void fail(TaskFence fence, String message) throws LostTaskException {
        fence.update(s -> {
            s.phase = TaskPhase.Failed;
            s.message = message;
        });
        LOG.warn("task {} Failed: {}", fence.taskName(), message);
    }

    private void backToPending(TaskFence fence, String message) {
        try {
            fence.update(s -> {
                int attempts = s.attemptsOrZero() + 1;
                s.attempts = attempts;
                s.notBefore = clock.instant().plus(Backoff.afterAttempt(attempts)).toString();
                s.phase = TaskPhase.Pending;
                s.message = message;
            });
            LOG.warn("task {} back to Pending: {}", fence.taskName(), message);
        } catch (LostTaskException e) {
            LOG.warn("abandoning task: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("could not hand task {} back ({}); the operator will take it back from this worker",
                    fence.taskName(), e.toString());
        }
    }
}
