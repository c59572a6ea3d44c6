package dev.ferry.operator.audit;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.TaskType;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.OwnTasks;
import dev.ferry.operator.state.Tasks;
import io.fabric8.kubernetes.client.KubernetesClient;
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
        String name = name(state.name());
        if (OwnTasks.createOnce(client, state, auditTask(state.job(), name), onCreated)) {
            LOG.info("job {}/{}: every task finished; created audit task {}", state.namespace(), state.name(), name);
        } else {
            LOG.debug("audit task {} exists already", name);
        }
    }

    static MigrationTask auditTask(MigrationJob job, String name) {
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.type = TaskType.Audit;
        return OwnTasks.of(job, name, spec);
    }
}
