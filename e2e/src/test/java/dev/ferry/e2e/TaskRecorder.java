package dev.ferry.e2e;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every state of every task of a running migration, as an informer delivers them — so a test can
 * assert on a passing state (a task released to Pending for a moment) and on the last state of a
 * task after the migration (and its API) are gone.
 */
final class TaskRecorder implements AutoCloseable {
    /** One observed state of a task. */
    record Seen(String name, String type, TaskPhase phase, String worker, String message,
                MigrationTaskStatus.Progress progress, long version, long epoch, String podUid, int takebacks,
                int attempts) {
    }

    private final Map<String, List<Seen>> seen = new ConcurrentHashMap<>();
    private final SharedIndexInformer<MigrationTask> informer;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
    private final KubernetesClient client;

    /** Records the tasks of {@code namespace} through {@code client}, which it closes when closed. */
    TaskRecorder(KubernetesClient client, String namespace) {
        this(client, namespace, Duration.ofMillis(100));
    }

    /** As above, listing every task each {@code pollInterval} besides the informer. */
    TaskRecorder(KubernetesClient client, String namespace, Duration pollInterval) {
        this.client = client;
        // an informer for every passing state, and a poll besides: the migration's API goes away soon
        // after the job finished, perhaps before the informer delivered a task's last update
        poller.scheduleWithFixedDelay(() -> {
            try {
                client.resources(MigrationTask.class).inNamespace(namespace).list().getItems().forEach(this::record);
            } catch (RuntimeException e) {
                // the API is gone: the migration ended
            }
        }, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        this.informer = client.resources(MigrationTask.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(MigrationTask task) {
                record(task);
            }

            @Override
            public void onUpdate(MigrationTask oldTask, MigrationTask task) {
                record(task);
            }

            @Override
            public void onDelete(MigrationTask task, boolean deletedFinalStateUnknown) {
            }
        }, 0);
    }

    private void record(MigrationTask task) {
        MigrationTaskStatus s = task.getStatus();
        if (s == null) {
            return;
        }
        Seen state = new Seen(task.getMetadata().getName(), String.valueOf(task.getSpec().type), s.phase,
                s.assignment == null ? null : s.assignment.worker, s.message, s.progress,
                Long.parseLong(task.getMetadata().getResourceVersion()), s.epochOrZero(),
                s.assignment == null ? null : s.assignment.podUid, s.takebacksOrZero(), s.attemptsOrZero());
        List<Seen> states = seen.computeIfAbsent(state.name(), n -> new ArrayList<>());
        synchronized (states) {
            // the informer and the poll deliver the same versions, in any order: keep each once, in order
            if (states.stream().noneMatch(x -> x.version() == state.version())) {
                states.add(state);
                states.sort(java.util.Comparator.comparingLong(Seen::version));
            }
        }
    }

    List<Seen> of(String task) {
        List<Seen> states = seen.get(task);
        if (states == null) {
            return List.of();
        }
        synchronized (states) {
            return List.copyOf(states);
        }
    }

    Optional<Seen> last(String task) {
        List<Seen> states = of(task);
        return states.isEmpty() ? Optional.empty() : Optional.of(states.get(states.size() - 1));
    }

    /** Every task seen. */
    List<String> names() {
        return seen.keySet().stream().sorted().toList();
    }

    List<String> tasksOfType(String type) {
        return seen.keySet().stream().filter(n -> of(n).stream().anyMatch(s -> type.equals(s.type()))).sorted().toList();
    }

    @Override
    public void close() {
        poller.shutdownNow();
        informer.close();
        client.close();
    }
}
