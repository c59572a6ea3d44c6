package dev.ferry.cli;

import dev.ferry.api.MigrationJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One job's changes as a watch delivers them, so that `ferry migrate` sees the job finish when it does instead of
 * at its next poll. Whenever no change came within the time asked for, {@link #next} reads the job itself (a watch
 * that reconnects in the background may be silent for a while); once the watch has closed, it reads it every
 * {@link #POLL}: a lost watch slows the display down, it never stalls it.
 */
final class JobChanges implements Watcher<MigrationJob>, AutoCloseable {
    static final Duration POLL = Duration.ofMillis(300);

    private final Semaphore changed = new Semaphore(0);
    private final Watch watch;
    private volatile boolean watching;
    private volatile MigrationJob latest;
    private volatile boolean deleted;

    private JobChanges(KubernetesClient client, String namespace, String name) {
        Watch opened;
        try {
            opened = client.resources(MigrationJob.class).inNamespace(namespace).withName(name).watch(this);
            watching = true;
        } catch (KubernetesClientException e) {
            opened = null;
        }
        this.watch = opened;
    }

    static JobChanges of(KubernetesClient client, String namespace, String name) {
        return new JobChanges(client, namespace, name);
    }

    @Override
    public void eventReceived(Action action, MigrationJob job) {
        if (action == Action.DELETED) {
            deleted = true;
            latest = null;
        } else if (action != Action.ERROR && action != Action.BOOKMARK) {
            latest = job;
        }
        changed.release();
    }

    @Override
    public void onClose(WatcherException cause) {
        watching = false;
        changed.release();
    }

    @Override
    public void onClose() {
        watching = false;
        changed.release();
    }

    /**
     * The job after its next change, or as it is after {@code timeout} when nothing changed (at most {@link #POLL}
     * without a watch); null when it was deleted. {@code read} reads it from the API when the watch has not
     * shown it.
     */
    MigrationJob next(Duration timeout, Supplier<MigrationJob> read) throws InterruptedException {
        Duration wait = watching ? timeout : (timeout.compareTo(POLL) < 0 ? timeout : POLL);
        boolean woken = changed.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        changed.drainPermits();
        if (deleted) {
            return null;
        }
        MigrationJob seen = latest;
        return woken && watching && seen != null ? seen : read.get();
    }

    @Override
    public void close() {
        watching = false;
        if (watch != null) {
            watch.close();
        }
    }
}
