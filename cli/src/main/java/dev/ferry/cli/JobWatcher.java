package dev.ferry.cli;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.local.LocalKubelet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Follows a job until it finishes, showing its progress ({@link ProgressDisplay}): a progress bar on a
 * terminal, otherwise a line every few seconds so that logs stay readable. The job's changes come from a watch
 * ({@link JobChanges}): its end is seen as it is written, not up to a poll later.
 */
final class JobWatcher {
    /** How often the display and the worker processes are looked at while the job does not change. */
    private static final Duration REFRESH = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final LocalKubelet kubelet;
    private final PrintStream out;
    private final boolean terminal = System.console() != null;

    JobWatcher(KubernetesClient client, String namespace, String name, LocalKubelet kubelet, PrintStream out) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.kubelet = kubelet;
        this.out = out;
    }

    JobOutcome awaitCompletion() throws InterruptedException {
        long start = System.nanoTime();
        MigrationJobStatus status = null;
        try (JobChanges changes = JobChanges.of(client, namespace, name);
                ProgressDisplay display = ProgressDisplay.forStream(out, terminal)) {
            MigrationJob job = get();
            while (true) {
                if (job == null) {
                    return new JobOutcome(name, false, "the job was deleted", status, MigrateCommand.elapsed(start));
                }
                status = job.getStatus();
                Duration elapsed = MigrateCommand.elapsed(start);
                if (status != null && status.phase != null) {
                    display.show(status, elapsed);
                    if (status.phase.isFinished()) {
                        boolean ok = status.phase == JobPhase.Succeeded;
                        return new JobOutcome(name, ok, ok ? "" : failureReason(status), status, elapsed);
                    }
                }
                if (kubelet.crashLooping()) {
                    return new JobOutcome(name, false, "worker processes keep exiting at start; see the logs in "
                            + kubelet.logDir(), status, elapsed);
                }
                job = changes.next(REFRESH, this::get);
            }
        }
    }

    private MigrationJob get() {
        try {
            return client.resources(MigrationJob.class).inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            return null;
        }
    }

    static String failureReason(MigrationJobStatus status) {
        StringBuilder reason = new StringBuilder();
        status.conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                .map(Condition::getMessage).ifPresent(reason::append);
        if (status.failures != null && !status.failures.isEmpty()) {
            var first = status.failures.get(0);
            reason.append(reason.length() > 0 ? "; " : "")
                    .append("first failure: ").append(first.path).append(": ").append(first.code)
                    .append(first.message == null ? "" : " (" + first.message + ")");
        }
        return reason.length() == 0 ? "job phase " + status.phase : reason.toString();
    }
}
