package dev.ferry.worker.plan;

import dev.ferry.api.AuditMode;
import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.ManifestRef;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.PartsScope;
import dev.ferry.api.PlanScope;
import dev.ferry.api.TaskType;
import dev.ferry.worker.manifest.Manifests;
import dev.ferry.worker.multipart.PartLayout;
import dev.ferry.worker.s3.EndpointPool;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The tasks one plan creates: the job's labels, owned by the job (so they go with it), annotated with
 * the plan that created them ({@link Ferry#PLAN_ANNOTATION}). A Copy task with more files than
 * {@link Manifests#INLINE_MAX_FILES} gets its list as a manifest object, written here before the task
 * exists; with the audit on, every other Copy task and every huge file get one too, as the plan's record.
 */
final class TaskFactory {
    private final MigrationJob job;
    private final String planName;
    private final Supplier<EndpointPool> store;

    /** The plan's directory had nothing at the destination when the plan began ({@link FreshDestination}). */
    private final boolean freshDestination;

    TaskFactory(MigrationJob job, String planName, Supplier<EndpointPool> store) {
        this(job, planName, store, false);
    }

    TaskFactory(MigrationJob job, String planName, Supplier<EndpointPool> store, boolean freshDestination) {
        this.job = job;
        this.planName = planName;
        this.store = store;
        this.freshDestination = freshDestination;
    }

    MigrationTask copy(String name, List<FileEntry> files) {
        MigrationTaskSpec spec = spec(TaskType.Copy);
        if (Manifests.inline(files)) {
            spec.files = List.copyOf(files);
            recordForTheAudit(name, files);
        } else {
            ManifestRef ref = Manifests.write(store.get(), job, name, files);
            spec.manifest = ref;
        }
        spec.fileCount = files.size();
        spec.byteCount = files.stream().mapToLong(FileEntry::sizeOrZero).sum();
        spec.freshDestination = freshDestination ? Boolean.TRUE : null;
        return task(name, spec);
    }

    /** Task {@code index} (0-based) of a file's Parts tasks; only the first one counts the file. */
    MigrationTask parts(String name, FileEntry file, PartLayout layout, int index, String uploadId) {
        MigrationTaskSpec spec = spec(TaskType.Parts);
        PartsScope parts = new PartsScope();
        parts.file = file;
        parts.partSize = layout.partSize();
        parts.firstPart = layout.firstPart(index);
        parts.lastPart = layout.lastPart(index);
        parts.totalParts = layout.count();
        parts.uploadId = uploadId;
        spec.parts = parts;
        if (index == 0) {
            recordForTheAudit(name, List.of(file));
        }
        spec.fileCount = index == 0 ? 1 : 0;
        spec.byteCount = layout.taskBytes(index);
        return task(name, spec);
    }

    /**
     * The audit ({@code spec.audit: Plan}) compares the destination with every manifest of the job, so a
     * task whose list is inline, and the first Parts task of a huge file, get one too: the plan's record of
     * what it put in the task, written before the task like a manifest a task reads.
     */
    private void recordForTheAudit(String name, List<FileEntry> files) {
        if (job.getSpec().auditOrDefault() == AuditMode.Plan) {
            Manifests.write(store.get(), job, name, files);
        }
    }

    MigrationTask plan(String name, String directory) {
        MigrationTaskSpec spec = spec(TaskType.Plan);
        spec.plan = new PlanScope(directory);
        return task(name, spec);
    }

    private MigrationTaskSpec spec(TaskType type) {
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = type;
        return spec;
    }

    private MigrationTask task(String name, MigrationTaskSpec spec) {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(job.getMetadata().getNamespace())
                .withLabels(Map.of(Ferry.JOB_LABEL, job.getMetadata().getName(),
                        Ferry.TASK_TYPE_LABEL, spec.type.name()))
                .withAnnotations(Map.of(Ferry.PLAN_ANNOTATION, planName))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(job.getApiVersion() != null ? job.getApiVersion() : Ferry.API_VERSION)
                        .withKind("MigrationJob")
                        .withName(job.getMetadata().getName())
                        .withUid(job.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build())
                .build());
        task.setSpec(spec);
        task.setStatus(null);
        return task;
    }
}
