package dev.ferry.operator.lifecycle;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationTask;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.status.JobEvents;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clears what an earlier job of the same name left ({@link EarlierJobLeftovers}) before the job plans, starts a
 * worker or counts a task: deletes the old tasks and the old worker Deployment (its pods go with it), and waits for
 * the old workers to stop, so that none of them reads the new job by its name and works for it. Where the garbage
 * collector did this already, the deletes find nothing; where it lags, or is absent (the Fabric8 mock server),
 * they do its work.
 */
public final class EarlierJobCleanup {
    private static final Logger LOG = LoggerFactory.getLogger(EarlierJobCleanup.class);
    /** Event reason, once per job: the job waits for an earlier job's objects to go. */
    public static final String REASON = "EarlierJobLeftovers";
    /** Jobs told about already (an Event per job, not per reconcile); past it the memory starts over. */
    static final int JOBS_REMEMBERED = 256;

    private final KubernetesClient client;
    private final JobEvents events;
    private final Set<String> announced = ConcurrentHashMap.newKeySet();

    public EarlierJobCleanup(KubernetesClient client, JobEvents events) {
        this.client = client;
        this.events = events;
    }

    /** True while the job must wait: leftovers are being deleted or old workers are stopping. */
    public boolean clearing(JobState state, EarlierJobLeftovers leftovers) {
        long running = leftovers.podsThatMayRun();
        if (leftovers.tasks().isEmpty() && leftovers.deployment() == null && running == 0) {
            return false; // none, or only old pods that have stopped: counted as nobody's
        }
        String namespace = state.namespace();
        if (!leftovers.tasks().isEmpty()) {
            deleteTasks(state, leftovers);
        }
        if (leftovers.deployment() != null) {
            deleteQuietly(() -> client.apps().deployments().inNamespace(namespace)
                    .withName(leftovers.deployment().getMetadata().getName())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
        }
        String what = describe(leftovers, running);
        if (announced.size() >= JOBS_REMEMBERED) {
            announced.clear();
        }
        if (announced.add(state.job().getMetadata().getUid())) {
            events.normal(state.job(), REASON, "waiting for what an earlier job named " + state.name()
                    + " left to go (" + what + "); this job starts afresh after it");
        }
        LOG.info("job {}/{} waits for an earlier job of its name: {}", namespace, state.name(), what);
        return true;
    }

    /** Forgets a job (it finished, or is gone). */
    public void forget(String jobUid) {
        announced.remove(jobUid);
    }

    /**
     * By label when the job has no task of its own yet (one request however many there are), else one by one:
     * a collection delete would take the job's own.
     */
    private void deleteTasks(JobState state, EarlierJobLeftovers leftovers) {
        var tasks = client.resources(MigrationTask.class).inNamespace(state.namespace());
        if (state.tasks().isEmpty()) {
            deleteQuietly(() -> tasks.withLabel(Ferry.JOB_LABEL, state.name())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
            return;
        }
        for (MigrationTask task : leftovers.tasks()) {
            deleteQuietly(() -> tasks.withName(task.getMetadata().getName())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
        }
    }

    private static String describe(EarlierJobLeftovers leftovers, long running) {
        List<String> what = new ArrayList<>();
        if (!leftovers.tasks().isEmpty()) {
            what.add(leftovers.tasks().size() + " task(s)");
        }
        if (leftovers.deployment() != null) {
            what.add("worker Deployment " + leftovers.deployment().getMetadata().getName());
        }
        if (running > 0) {
            what.add(running + " worker pod(s) still running");
        }
        return String.join(", ", what);
    }

    /** A failed delete is tried again by the next reconcile, which still finds the leftover. */
    private static void deleteQuietly(Runnable delete) {
        try {
            delete.run();
        } catch (KubernetesClientException e) {
            LOG.warn("could not delete an earlier job's leftover: {}", e.getMessage());
        }
    }
}
