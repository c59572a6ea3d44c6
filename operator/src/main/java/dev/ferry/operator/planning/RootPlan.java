package dev.ferry.operator.planning;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.PlanScope;
import dev.ferry.api.TaskType;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.OwnTasks;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a new job: creates its root Plan task {@code <job>-plan}, which walks the whole source, and
 * sets the initial status (Planning, startTime). Everything else is planned by workers, so this and the
 * job's Audit task at the end ({@code operator.audit.JobAudit}) are the only tasks the operator creates. The name is deterministic: a second create is a 409,
 * which means it exists already, which is what we wanted.
 */
public final class RootPlan {
    private static final Logger LOG = LoggerFactory.getLogger(RootPlan.class);

    private final KubernetesClient client;
    private final Consumer<MigrationTask> onCreated;

    /** @param onCreated told about a created task, so that caches see it before the watch delivers it */
    public RootPlan(KubernetesClient client, Consumer<MigrationTask> onCreated) {
        this.client = client;
        this.onCreated = onCreated;
    }

    public static String name(String jobName) {
        return jobName + "-plan";
    }

    public void ensure(JobState state) {
        MigrationJobStatus status = state.status();
        if (status.startTime == null) {
            status.startTime = state.now().toString();
        }
        if (status.phase == null || status.phase == JobPhase.Pending) {
            status.phase = JobPhase.Planning;
        }
        String name = name(state.name());
        // Once the job has started the plan exists (or existed: finished tasks may be pruned).
        if (state.task(name).isPresent() || state.observedStatus().startTime != null) {
            return;
        }
        if (OwnTasks.createOnce(client, state, rootPlan(state.job(), name), onCreated)) {
            LOG.info("job {}/{}: created root plan task {}", state.namespace(), state.name(), name);
        } else {
            LOG.debug("root plan task {} exists already", name);
        }
    }

    static MigrationTask rootPlan(MigrationJob job, String name) {
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.type = TaskType.Plan;
        spec.plan = new PlanScope("");
        return OwnTasks.of(job, name, spec);
    }
}
