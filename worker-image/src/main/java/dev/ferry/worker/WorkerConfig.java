package dev.ferry.worker;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a worker process is told by its pod: who it is (downward API), which job it serves and where
 * the job's volume is mounted. Read once at start; a missing variable is a configuration error that
 * names the variable, not a NullPointerException later.
 */
public record WorkerConfig(String podName, String namespace, String podUid, String jobName, Path sourceRoot,
                           int taskSlots) {

    public static final String POD_NAME = "POD_NAME";
    public static final String POD_NAMESPACE = "POD_NAMESPACE";
    public static final String POD_UID = "POD_UID";
    public static final String FERRY_JOB = "FERRY_JOB";
    public static final String FERRY_SOURCE_ROOT = "FERRY_SOURCE_ROOT";
    /** Optional: how many tasks one worker runs at once (default 3: a plan can run beside copies). */
    public static final String FERRY_TASK_SLOTS = "FERRY_TASK_SLOTS";
    public static final int DEFAULT_TASK_SLOTS = 3;

    public WorkerConfig {
        if (taskSlots < 1) {
            throw new IllegalArgumentException(FERRY_TASK_SLOTS + " must be at least 1, got " + taskSlots);
        }
    }

    public static WorkerConfig fromEnv(Map<String, String> env) {
        String slots = env.get(FERRY_TASK_SLOTS);
        int taskSlots;
        try {
            taskSlots = slots == null || slots.isBlank() ? DEFAULT_TASK_SLOTS : Integer.parseInt(slots.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(FERRY_TASK_SLOTS + " must be a number, got '" + slots + "'");
        }
        return new WorkerConfig(
                required(env, POD_NAME),
                required(env, POD_NAMESPACE),
                required(env, POD_UID),
                required(env, FERRY_JOB),
                Path.of(required(env, FERRY_SOURCE_ROOT)),
                taskSlots);
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
