package dev.ferry.operator.runs;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationTask;
import dev.ferry.operator.history.HistoryFolder;
import dev.ferry.operator.liveness.WorkerPods;
import dev.ferry.operator.planning.RootPlan;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears the way for a run: a run after the first starts only once every task of the previous run is gone and no
 * worker pod of it still runs. Task names are the same in every run ({@code <job>-plan}, {@code <job>-plan-00001},
 * a child plan's {@code <job>-plan-d<hex>}), so an old task left in place would be taken by the new plans for one of
 * theirs (a Succeeded child plan would hide its directory's new files); and a worker of the old run still running
 * could hold a same-named task again under the same pod UID and epoch. Both are excluded before the new root plan
 * exists: the old run's counters are final and recorded in {@code status.runs}, so its tasks are deleted, not folded.
 *
 * <p>Which run a root plan belongs to is its label {@value Ferry#RUN_LABEL}: once the new run's root plan exists
 * (created after this clearing, perhaps by a reconcile that crashed before writing the start time), nothing is
 * deleted any more.
 */
public final class PreviousRun {
    private static final Logger LOG = LoggerFactory.getLogger(PreviousRun.class);

    private final KubernetesClient client;
    private final HistoryFolder history;

    public PreviousRun(KubernetesClient client, HistoryFolder history) {
        this.client = client;
        this.history = history;
    }

    /** True while the new run must wait: the previous run's tasks are being deleted or its workers are stopping. */
    public boolean clearing(JobState state) {
        long run = state.status().runOrFirst();
        if (run <= 1 || state.observedStatus().startTime != null || rootPlanOfThisRun(state, run)) {
            return false;
        }
        int tasks = state.tasks().size();
        long running = state.workerPods().stream().filter(WorkerPods::mayRun).count();
        if (tasks > 0) {
            client.resources(MigrationTask.class).inNamespace(state.namespace()).withLabel(Ferry.JOB_LABEL, state.name())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            LOG.info("job {}/{}: run {} waits for the {} task(s) of run {} to be deleted and {} worker pod(s) to stop",
                    state.namespace(), state.name(), run, tasks, run - 1, running);
            return true;
        }
        if (running > 0 || history.deletesPending(state)) {
            return true;
        }
        // No task of the last run is left: the history's names of it are done with.
        history.forgetGone(state);
        state.status().history = null;
        return false;
    }

    private static boolean rootPlanOfThisRun(JobState state, long run) {
        return state.task(RootPlan.name(state.name()))
                .map(task -> task.getMetadata().getLabels())
                .map((Map<String, String> labels) -> Objects.equals(labels.get(Ferry.RUN_LABEL), Long.toString(run)))
                .orElse(false);
    }
}
