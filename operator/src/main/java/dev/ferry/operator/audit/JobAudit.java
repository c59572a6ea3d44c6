package dev.ferry.operator.audit;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Owners;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a job's work: once planning is over and every Copy and Parts task has finished, the operator
 * creates the job's one Audit task {@code <job>-audit}, and the job is {@code Verifying} until it has
 * finished. A worker runs it (the operator has no access to the store): it compares the destination with
 * the plan's manifests, copies once more what is missing or different, and writes the failure report
 * ({@code spec.audit: None} only writes the report). The name is deterministic, so a second create is a
 * 409 and a new leader creates nothing twice; the task is never folded away, so its result stays readable.
 */
public final class JobAudit {
    private static final Logger LOG = LoggerFactory.getLogger(JobAudit.class);

    private final KubernetesClient client;
    private final Consumer<MigrationTask> onCreated;

    /** @param onCreated told about a created task, so that caches see it before the watch delivers it */
    public JobAudit(KubernetesClient client, Consumer<MigrationTask> onCreated) {
        this.client = client;
        this.onCreated = onCreated;
    }

    public static String name(String jobName) {
        return jobName + "-audit";
    }

    public static boolean isAudit(MigrationTask task) {
        return Tasks.type(task) == TaskType.Audit;
    }

    /** The job's Audit task, when it exists. */
    public static Optional<MigrationTask> of(JobState state) {
        return state.tasks().stream().filter(JobAudit::isAudit).findFirst();
    }

    /**
     * True once planning is over (a plan existed and every Plan task left has finished) and no Copy or
     * Parts task is unfinished: nothing creates or copies files any more.
     */
    public static boolean workDone(List<MigrationTask> tasks, MigrationJobStatus status) {
        boolean folded = status.history != null && status.history.folded.plans > 0;
        boolean anyPlan = folded || tasks.stream().anyMatch(t -> Tasks.type(t) == TaskType.Plan);
        return anyPlan && tasks.stream().filter(t -> !isAudit(t)).allMatch(t -> Tasks.phase(t).isFinished());
    }

    /** Creates the Audit task when the work is done and the job has none yet. */
    public void ensure(JobState state) {
        if (of(state).isPresent() || !workDone(state.tasks(), state.status())) {
            return;
        }
        MigrationTask task = auditTask(state.job(), name(state.name()));
        try {
            MigrationTask created = client.resources(MigrationTask.class).inNamespace(state.namespace())
                    .resource(task).create();
            LOG.info("job {}/{}: every task finished; created audit task {}", state.namespace(), state.name(),
                    task.getMetadata().getName());
            onCreated.accept(created);
            state.put(created);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            LOG.debug("audit task {} exists already", task.getMetadata().getName());
        }
    }

    static MigrationTask auditTask(MigrationJob job, String name) {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(job.getMetadata().getNamespace())
                .addToLabels(Ferry.JOB_LABEL, job.getMetadata().getName())
                .addToLabels(Ferry.TASK_TYPE_LABEL, TaskType.Audit.name())
                .withOwnerReferences(Owners.controlledBy(job))
                .build());
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = TaskType.Audit;
        task.setSpec(spec);
        MigrationTaskStatus status = new MigrationTaskStatus();
        status.phase = TaskPhase.Pending;
        status.attempts = 0;
        task.setStatus(status);
        return task;
    }
}
