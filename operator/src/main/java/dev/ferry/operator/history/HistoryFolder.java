package dev.ferry.operator.history;

import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a job's finished tasks to a window: Succeeded tasks beyond {@code spec.tasks.historyLimit} are
 * folded into {@code status.history} and deleted, in three steps that survive a crash or a change of
 * leader at any point:
 * <ol>
 *   <li>{@link #prepare}: the next batch's counts are added to {@code history.folded} and its names put in
 *       {@code history.deleting}, in the status this reconcile writes (one resourceVersion-locked update);</li>
 *   <li>{@link #deleteFolded}: once that status is written, the named tasks are deleted;</li>
 *   <li>{@link #prepare} of a later reconcile drops from {@code deleting} the names whose tasks are gone
 *       from the informer cache, and starts the next batch when none is left.</li>
 * </ol>
 * The aggregator counts a task named in {@code deleting} only through {@code folded}, so the counts are
 * exact whether the task still exists or not. A new leader that finds {@code deleting} non-empty deletes
 * what is left (a 404 is success) and goes on. A name leaves {@code deleting} only once the cache no longer
 * has the task, so a stale cache can never count it again beside {@code folded}.
 *
 * <p>Deletes run on two background threads, so a batch does not hold up assignment; the delete events
 * reconcile the job again, which completes step 3.
 */
public final class HistoryFolder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryFolder.class);
    /** Most tasks folded per status write: bounds the size of {@code history.deleting}. */
    public static final int BATCH = 250;

    private final KubernetesClient client;
    private final int batch;
    /** Tasks this operator deleted (or found gone) whose names may still be in a job's {@code deleting}. */
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService deletes;

    public HistoryFolder(KubernetesClient client) {
        this(client, BATCH);
    }

    public HistoryFolder(KubernetesClient client, int batch) {
        this.client = client;
        this.batch = batch;
        this.deletes = Executors.newFixedThreadPool(2, BasicThreadFactory.builder()
                .namingPattern("ferry-history-delete-%d")
                .daemon(true)
                .build());
    }

    /**
     * Steps 3 and 1 on the status being built: forgets the deleted tasks of the last fold and, when none
     * is left, folds the next batch. Returns how many tasks this reconcile folds.
     */
    public int prepare(JobState state) {
        forgetGone(state);
        MigrationJobStatus.TaskHistory history = state.status().history;
        if (history != null && history.deleting != null) {
            return 0; // one batch at a time: the last one is still being deleted
        }
        int limit = state.job().getSpec().tasksOrDefaults().historyLimitOrDefault();
        List<MigrationTask> fold = FoldPlan.nextBatch(state.tasks(), Set.of(), limit, batch, state.status().failures);
        if (fold.isEmpty()) {
            return 0;
        }
        if (history == null) {
            history = new MigrationJobStatus.TaskHistory();
            state.status().history = history;
        }
        List<String> names = new ArrayList<>();
        for (MigrationTask task : fold) {
            FoldPlan.add(history.folded, task);
            names.add(task.getMetadata().getName());
        }
        history.deleting = names;
        return fold.size();
    }

    /**
     * Step 3 alone, on the status being built: drops from {@code history.deleting} the names whose tasks the cache no
     * longer has, and forgets that it deleted them (a task of the same name may exist again, in a later run).
     */
    public void forgetGone(JobState state) {
        MigrationJobStatus.TaskHistory history = state.status().history;
        if (history == null || history.deleting == null) {
            return;
        }
        List<String> remaining = new ArrayList<>();
        for (String name : history.deleting) {
            if (state.task(name).isPresent()) {
                remaining.add(name);
            } else {
                deleted.remove(key(state, name));
            }
        }
        history.deleting = remaining.isEmpty() ? null : remaining;
    }

    /**
     * Whether a delete of one of the job's tasks is still queued or running here: a new run's task of the same name
     * must not be created before it has run (it deletes by name).
     */
    public boolean deletesPending(JobState state) {
        String prefix = key(state, state.name() + "-");
        return inFlight.stream().anyMatch(key -> key.startsWith(prefix));
    }

    /**
     * Step 2: deletes the tasks named in {@code history.deleting}. Call only after the status that names
     * them has been written (or was already so): a name is never deleted before it is counted in folded.
     */
    public void deleteFolded(JobState state) {
        MigrationJobStatus.TaskHistory history = state.status().history;
        if (history == null || history.deleting == null) {
            return;
        }
        for (String name : history.deleting) {
            String key = key(state, name);
            if (state.task(name).isPresent() && !deleted.contains(key) && inFlight.add(key)) {
                deletes.execute(() -> delete(state.namespace(), name, key));
            }
        }
    }

    private void delete(String namespace, String name, String key) {
        try {
            client.resources(MigrationTask.class).inNamespace(namespace).withName(name).delete();
            deleted.add(key);
        } catch (KubernetesClientException e) {
            // Left in deleting: the next reconcile tries again.
            LOG.warn("could not delete folded task {}/{}: {}", namespace, name, e.getMessage());
        } finally {
            inFlight.remove(key);
        }
    }

    private static String key(JobState state, String name) {
        return state.namespace() + "/" + name;
    }

    @Override
    public void close() {
        deletes.shutdownNow();
    }
}
