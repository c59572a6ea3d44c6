package dev.ferry.worker.plan;

import dev.ferry.api.FileEntry;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.TaskType;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Copy tasks a plan creates: deterministic names, the job's labels, owned by the job. */
public final class CopyTasks {
    private CopyTasks() {
    }

    /** The n-th (1-based) Copy task of plan task {@code planTask}: {@code <plan>-00001}, ... */
    public static String name(String planTask, int n) {
        return planTask + "-" + String.format(Locale.ROOT, "%05d", n);
    }

    public static MigrationTask copyTask(MigrationJob job, String name, List<FileEntry> files) {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(job.getMetadata().getNamespace())
                .withLabels(Map.of(Ferry.JOB_LABEL, job.getMetadata().getName(),
                        Ferry.TASK_TYPE_LABEL, TaskType.Copy.name()))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(job.getApiVersion() != null ? job.getApiVersion() : Ferry.API_VERSION)
                        .withKind("MigrationJob")
                        .withName(job.getMetadata().getName())
                        .withUid(job.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build())
                .build());
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = TaskType.Copy;
        spec.files = List.copyOf(files);
        spec.fileCount = files.size();
        spec.byteCount = files.stream().mapToLong(FileEntry::sizeOrZero).sum();
        task.setSpec(spec);
        task.setStatus(null);
        return task;
    }
}
