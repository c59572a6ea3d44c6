package dev.ferry.worker.config;

import dev.ferry.api.Ferry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a worker process is told by its pod: who it is (downward API), which job it serves and where
 * the job's volume is mounted, and how often it proves it is alive (its Lease). Read once at start; a
 * missing variable is a configuration error that names the variable, not a NullPointerException later.
 */
public record WorkerConfig(String podName, String namespace, String podUid, String jobName, Path sourceRoot,
                           int taskSlots, Duration leaseDuration, Duration leaseRenewInterval) {

    public static final String POD_NAME = "POD_NAME";
    public static final String POD_NAMESPACE = "POD_NAMESPACE";
    public static final String POD_UID = "POD_UID";
    public static final String FERRY_JOB = "FERRY_JOB";
    public static final String FERRY_SOURCE_ROOT = "FERRY_SOURCE_ROOT";
    /** Optional: how many tasks one worker runs at once (default 3: a plan can run beside copies). */
    public static final String FERRY_TASK_SLOTS = "FERRY_TASK_SLOTS";
    public static final int DEFAULT_TASK_SLOTS = 3;
    /** Optional: seconds after its last renewal that the worker's Lease counts as expired (default 15). */
    public static final String FERRY_LEASE_DURATION_SECONDS = "FERRY_LEASE_DURATION_SECONDS";
    /** Optional: seconds between renewals of the Lease (default 5: two renewals may fail before it expires). */
    public static final String FERRY_LEASE_RENEW_SECONDS = "FERRY_LEASE_RENEW_SECONDS";
    /**
     * Optional: the port of the Prometheus endpoint {@code GET /metrics} (default 8080; {@code 0}: any free
     * port, logged at start; empty or {@code off}: none). Read by {@code WorkerMain}, not part of this record:
     * it concerns the process, not the worker's work. The meters: docs/metrics.md.
     */
    public static final String FERRY_METRICS_PORT = Ferry.METRICS_PORT_ENV;
    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
    public static final Duration DEFAULT_LEASE_RENEW_INTERVAL = Duration.ofSeconds(5);

    public WorkerConfig {
        if (taskSlots < 1) {
            throw new IllegalArgumentException(FERRY_TASK_SLOTS + " must be at least 1, got " + taskSlots);
        }
        if (leaseDuration.toSeconds() < 1) {
            throw new IllegalArgumentException(FERRY_LEASE_DURATION_SECONDS + " must be at least 1, got " + leaseDuration.toSeconds());
        }
        if (leaseRenewInterval.isZero() || leaseRenewInterval.isNegative() || leaseRenewInterval.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException(FERRY_LEASE_RENEW_SECONDS + " must be positive and below "
                    + FERRY_LEASE_DURATION_SECONDS + " (" + leaseDuration.toSeconds() + "), got " + leaseRenewInterval.toSeconds());
        }
    }

    /** With the default Lease timings. */
    public WorkerConfig(String podName, String namespace, String podUid, String jobName, Path sourceRoot, int taskSlots) {
        this(podName, namespace, podUid, jobName, sourceRoot, taskSlots, DEFAULT_LEASE_DURATION, DEFAULT_LEASE_RENEW_INTERVAL);
    }

    public static WorkerConfig fromEnv(Map<String, String> env) {
        return new WorkerConfig(
                required(env, POD_NAME),
                required(env, POD_NAMESPACE),
                required(env, POD_UID),
                required(env, FERRY_JOB),
                Path.of(required(env, FERRY_SOURCE_ROOT)),
                number(env, FERRY_TASK_SLOTS, DEFAULT_TASK_SLOTS),
                Duration.ofSeconds(number(env, FERRY_LEASE_DURATION_SECONDS, (int) DEFAULT_LEASE_DURATION.toSeconds())),
                Duration.ofSeconds(number(env, FERRY_LEASE_RENEW_SECONDS, (int) DEFAULT_LEASE_RENEW_INTERVAL.toSeconds())));
    }

    private static int number(Map<String, String> env, String name, int defaultValue) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'");
        }
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("environment variable " + name + " is not set"
                    + " (the worker Deployment sets POD_NAME, POD_NAMESPACE, POD_UID, FERRY_JOB and FERRY_SOURCE_ROOT)");
        }
        return value.strip();
    }
}
