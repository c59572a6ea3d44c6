package dev.ferry.e2e.bench;

import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskType;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

/**
 * A job's root plan as a planning worker runs it, without a source to walk: Copy tasks created only while
 * there is room (the worker's rule: unfinished tasks, plus Succeeded ones beyond {@code historyLimit} not
 * folded yet, below {@code maxActive}), the plan's {@code progress.tasksCreated} written after each batch,
 * with its {@code progressTime} (a plan that stops moving is taken back as stalled), so the operator may fold
 * what the plan has recorded. Up to 50 tasks per batch, created four at a time; a task that exists already
 * (a create retried after a lost answer) is taken as created, and a plan handed out again goes on from
 * the progress it recorded, as a planning worker does.
 *
 * <p>A worker counts from its informer's cache; this harness counts from what it created, what the
 * workers finished and the deletes its informer saw, so a lagging cache can only make it count more
 * Succeeded tasks than there are, never fewer.
 */
final class PacedPlan {
    private static final int BATCH = 50;

    private final KubernetesClient client;
    private final MigrationJob job;
    private final int tasks;
    private final int filesPerTask;
    private final int maxActive;
    private final int historyLimit;

    PacedPlan(KubernetesClient client, MigrationJob job, int tasks, int filesPerTask, int maxActive, int historyLimit) {
        this.client = client;
        this.job = job;
        this.tasks = tasks;
        this.filesPerTask = filesPerTask;
        this.maxActive = maxActive;
        this.historyLimit = historyLimit;
    }

    /**
     * Creates every task, recording progress through {@code write} (a fenced status write of the plan;
     * null: the plan was lost). {@code finished} counts the Copy tasks the workers finished, exactly;
     * {@code deleted} the Copy tasks whose deletion (by folding) an informer saw. Returns the plan as last
     * written.
     */
    MigrationTask run(MigrationTask plan, LongSupplier finished, LongSupplier deleted,
            BiFunction<MigrationTask, Consumer<MigrationTaskStatus>, MigrationTask> write) throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(4);
        try {
            MigrationTask current = plan;
            MigrationTaskStatus.Progress recorded = plan.getStatus() == null ? null : plan.getStatus().progress;
            int created = recorded == null || recorded.tasksCreated == null ? 0 : recorded.tasksCreated;
            while (created < tasks) {
                long done = finished.getAsLong();
                long unfinished = created - done;
                long succeededStored = done - deleted.getAsLong();
                long room = maxActive - unfinished - Math.max(0, succeededStored - historyLimit);
                if (room <= 0) {
                    Thread.sleep(20);
                    continue;
                }
                int from = created + 1;
                int to = (int) Math.min(tasks, created + Math.min(room, BATCH));
                List<Future<?>> creates = new ArrayList<>();
                for (int n = from; n <= to; n++) {
                    MigrationTask task = copyTask(job, n, filesPerTask);
                    creates.add(creators.submit(() -> createOrFind(task)));
                }
                for (Future<?> create : creates) {
                    create.get();
                }
                created = to;
                int upTo = created;
                current = write.apply(current, s -> {
                    s.progress = new MigrationTaskStatus.Progress();
                    s.progress.tasksCreated = upTo;
                    s.progress.total = (long) upTo * filesPerTask;
                    s.progressTime = Instant.now().toString();
                });
                if (current == null) {
                    return null;
                }
            }
            return current;
        } finally {
            creators.shutdownNow();
        }
    }

    private MigrationTask createOrFind(MigrationTask task) {
        try {
            return client.resources(MigrationTask.class).inNamespace(job.getMetadata().getNamespace()).resource(task).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return task; // created by the first try of a create whose answer was lost
        }
    }

    /** Copy task {@code n} of the job's root plan, as a planning worker creates it. */
    static MigrationTask copyTask(MigrationJob job, int n, int filesPerTask) {
        String jobName = job.getMetadata().getName();
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder().withName(ControlPlaneScaleBenchmark.taskName(jobName, n))
                .withNamespace(job.getMetadata().getNamespace())
                .addToLabels(Ferry.JOB_LABEL, jobName)
                .addToLabels(Ferry.TASK_TYPE_LABEL, TaskType.Copy.name())
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(Ferry.API_VERSION)
                        .withKind("MigrationJob").withName(jobName).withUid(job.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .build());
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = jobName;
        spec.type = TaskType.Copy;
        spec.files = IntStream.rangeClosed(1, filesPerTask)
                .mapToObj(f -> new FileEntry("dir-%04d/file-%05d-%d.dat".formatted(n / 100, n, f), 100, 1_700_000_000_000L))
                .toList();
        spec.fileCount = filesPerTask;
        spec.byteCount = filesPerTask * 100L;
        task.setSpec(spec);
        return task;
    }
}
