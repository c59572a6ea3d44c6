package dev.ferry.worker.task;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears about the job's tasks from an informer and starts those Assigned to this pod on a bounded
 * pool of task threads — each task at most once at a time. The informer's periodic resync brings
 * back any task whose event came while it was still running here.
 */
public final class TaskDispatcher implements ResourceEventHandler<MigrationTask> {
    private static final Logger LOG = LoggerFactory.getLogger(TaskDispatcher.class);

    private final String podUid;
    private final Consumer<String> runner;
    private final ExecutorService taskThreads;
    private final Set<String> taken = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile Store<MigrationTask> store;

    public TaskDispatcher(String podUid, int slots, Consumer<String> runner) {
        this.podUid = podUid;
        this.runner = runner;
        this.taskThreads = Executors.newFixedThreadPool(slots,
                BasicThreadFactory.builder().namingPattern("ferry-task-%d").build());
    }

    public void useStore(Store<MigrationTask> store) {
        this.store = store;
    }

    @Override
    public void onAdd(MigrationTask task) {
        consider(task);
    }

    @Override
    public void onUpdate(MigrationTask oldTask, MigrationTask task) {
        consider(task);
    }

    @Override
    public void onDelete(MigrationTask task, boolean deletedFinalStateUnknown) {
        // a running task notices its deletion at its next status write
    }

    private void consider(MigrationTask task) {
        if (stopping.get() || !isAssignedToUs(task)) {
            return;
        }
        String name = task.getMetadata().getName();
        if (!taken.add(name)) {
            return;
        }
        try {
            taskThreads.execute(() -> {
                try {
                    if (!stopping.get()) {
                        runner.accept(name);
                    }
                } catch (RuntimeException e) {
                    LOG.error("task {} ended with an error", name, e);
                } finally {
                    taken.remove(name);
                }
            });
        } catch (RuntimeException e) { // rejected: shutting down
            taken.remove(name);
        }
    }

    private boolean isAssignedToUs(MigrationTask task) {
        MigrationTaskStatus status = task.getStatus();
        return status != null && status.phase == TaskPhase.Assigned && status.assignment != null
                && podUid.equals(status.assignment.podUid);
    }

    /** Copy tasks of the job that are not finished: planning waits for room below maxActive. */
    public int unfinishedCopyTasks() {
        Store<MigrationTask> s = store;
        return s == null ? 0 : unfinishedCopyTasks(s.list());
    }

    /** Succeeded Copy and Parts tasks of the job still stored: planning counts those beyond historyLimit. */
    public int succeededCopyTasks() {
        Store<MigrationTask> s = store;
        return s == null ? 0 : succeededCopyTasks(s.list());
    }

    static int unfinishedCopyTasks(Collection<MigrationTask> tasks) {
        return (int) tasks.stream()
                .filter(t -> t.getSpec() != null && t.getSpec().type != TaskType.Plan)
                .filter(t -> t.getStatus() == null || t.getStatus().phase == null || !t.getStatus().phase.isFinished())
                .count();
    }

    static int succeededCopyTasks(Collection<MigrationTask> tasks) {
        return (int) tasks.stream()
                .filter(t -> t.getSpec() != null && (t.getSpec().type == TaskType.Copy || t.getSpec().type == TaskType.Parts))
                .filter(t -> t.getStatus() != null && t.getStatus().phase == TaskPhase.Succeeded)
                .count();
    }

    /** Stops starting tasks and waits up to {@code grace} for the running ones to release theirs. */
    public void stop(Duration grace) {
        stopping.set(true);
        taskThreads.shutdown();
        try {
            if (!taskThreads.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("tasks still running after {}: exiting anyway (the operator takes them back)", grace);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
