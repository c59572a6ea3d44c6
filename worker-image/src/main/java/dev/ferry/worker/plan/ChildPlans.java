package dev.ferry.worker.plan;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Plan tasks a plan hands large subdirectories to. A child's name is {@code <job>-plan-d<16 hex>},
 * the hex being the start of the SHA-256 of the directory's path relative to the job's source path:
 * <ul>
 *   <li>bounded: a name does not grow with the depth of the tree (a chain {@code <parent>-p00001-p00001...}
 *       would pass Kubernetes' 253 characters some thirty levels down), so the longest task name is
 *       {@code <job>-plan-d<16 hex>-<5 digits>}, the job's name plus 29 characters;</li>
 *   <li>one name per directory, whoever delegates it: two plans can never both walk a directory under
 *       two names, and the {@code d} keeps the name from ending in digits like a numbered Copy task;</li>
 *   <li>64 bits: a collision needs billions of delegated directories in one job; one that happens anyway
 *       is refused (the existing task is checked to be a Plan of the same directory), not merged.</li>
 * </ul>
 */
final class ChildPlans {
    private static final Logger LOG = LoggerFactory.getLogger(ChildPlans.class);

    private final String jobName;
    private final TaskStore tasks;
    private final TaskFactory factory;
    private final int limit;

    /** @param limit most unfinished Plan tasks of the job: a plan delegates only below it */
    ChildPlans(String jobName, TaskStore tasks, TaskFactory factory, int limit) {
        this.jobName = jobName;
        this.tasks = tasks;
        this.factory = factory;
        this.limit = limit;
    }

    static String name(String jobName, String directory) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(directory.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        return jobName + "-plan-d" + HexFormat.of().formatHex(hash, 0, 8);
    }

    /** True while fewer than the limit of Plan tasks are unfinished: one more may run beside them. */
    boolean roomForAnother() {
        return tasks.unfinishedPlans() < limit;
    }

    /** Creates the child Plan task of {@code directory}; one that exists already is taken as it is. */
    void ensure(String directory) {
        String name = name(jobName, directory);
        Optional<MigrationTask> existing = tasks.createOrFind(factory.plan(name, directory));
        if (existing.isEmpty()) {
            LOG.info("created plan task {} for directory {}", name, directory);
            return;
        }
        MigrationTask task = existing.get();
        boolean same = task.getSpec() != null && task.getSpec().type == TaskType.Plan && task.getSpec().plan != null
                && directory.equals(task.getSpec().plan.directory);
        if (!same) {
            throw new IllegalStateException("task " + name + " exists but does not plan directory " + directory
                    + ": a name collision; planning cannot hand this directory off");
        }
        LOG.info("plan task {} for directory {} exists already (created before a reassignment)", name, directory);
    }
}
