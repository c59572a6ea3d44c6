package dev.ferry.local;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** One worker process playing one pod. */
final class LocalPod {
    /** How long a process has between SIGTERM and SIGKILL, as a pod's termination grace period. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    final String name;
    final String namespace;
    final String deploymentUid;
    /** The {@link PodTemplateHash} of the template it was started from. */
    final String templateHash;
    final Process process;
    final Instant started;
    final Path logFile;
    volatile boolean stopping;
    volatile Instant stopRequested;
    /** Whether its Pod object has been seen in the API: from then on, its absence means someone deleted it. */
    volatile boolean seenInApi;

    LocalPod(String name, String namespace, String deploymentUid, String templateHash, Process process, Instant started,
             Path logFile) {
        this.name = name;
        this.namespace = namespace;
        this.deploymentUid = deploymentUid;
        this.templateHash = templateHash;
        this.process = process;
        this.started = started;
        this.logFile = logFile;
    }

    /** Running for at least {@code minReady}: available, as a pod without a readiness probe. */
    boolean availableAt(Instant now, Duration minReady) {
        return !stopping && !now.isBefore(started.plus(minReady));
    }

    void stop() {
        if (!stopping) {
            stopping = true;
            stopRequested = Instant.now();
            process.destroy();
        }
    }

    /** A process that ignores SIGTERM past the grace period is killed, as the kubelet would. */
    void killIfStopIsOverdue() {
        if (stopping && process.isAlive() && Instant.now().isAfter(stopRequested.plus(STOP_GRACE))) {
            process.destroyForcibly();
        }
    }
}
