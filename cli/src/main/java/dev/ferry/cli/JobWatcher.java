package dev.ferry.cli;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.Quantities;
import dev.ferry.local.LocalKubelet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Follows a job until it finishes, showing a live progress line: on a terminal one line rewritten
 * in place, otherwise a line every few seconds so that logs stay readable.
 */
final class JobWatcher {
    private static final Duration POLL = Duration.ofMillis(300);
    private static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

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
        long lastPlain = 0;
        MigrationJobStatus status = null;
        while (true) {
            MigrationJob job = get();
            if (job == null) {
                return new JobOutcome(name, false, "the job was deleted", status, MigrateCommand.elapsed(start));
            }
            status = job.getStatus();
            Duration elapsed = MigrateCommand.elapsed(start);
            if (status != null && status.phase != null) {
                String line = progressLine(status, elapsed);
                if (terminal) {
                    out.print("\r\033[K" + line);
                    out.flush();
                } else if (System.nanoTime() - lastPlain >= PLAIN_INTERVAL.toNanos() || status.phase.isFinished()) {
                    out.println(line);
                    lastPlain = System.nanoTime();
                }
                if (status.phase.isFinished()) {
                    if (terminal) {
                        out.println();
                    }
                    boolean ok = status.phase == JobPhase.Succeeded;
                    return new JobOutcome(name, ok, ok ? "" : failureReason(status), status, elapsed);
                }
            }
            if (kubelet.crashLooping()) {
                if (terminal) {
                    out.println();
                }
                return new JobOutcome(name, false, "worker processes keep exiting at start; see the logs in "
                        + kubelet.logDir(), status, elapsed);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private MigrationJob get() {
        try {
            return client.resources(MigrationJob.class).inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            return null;
        }
    }

    static String progressLine(MigrationJobStatus s, Duration elapsed) {
        double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
        return String.format(Locale.ROOT, "%-9s %5s  files %d/%d%s  %s/%s  %s/s  %ds",
                s.phase, s.progress == null ? "" : s.progress,
                s.files.done(), s.files.total, Boolean.TRUE.equals(s.planned) ? "" : "+",
                Quantities.humanBytes(s.bytes.copied), Quantities.humanBytes(s.bytes.total),
                Quantities.humanBytes((long) (s.bytes.copied / seconds)), elapsed.toSeconds());
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
