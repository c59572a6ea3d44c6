package dev.ferry.worker.copy;

import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.PartsScope;
import dev.ferry.api.TaskType;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/** Parts tasks as a plan creates them, for the tests that run them without a plan. */
final class PartsTaskSpecs {
    private PartsTaskSpecs() {
    }

    /**
     * Creates task {@code name}: parts {@code first}..{@code last} (1-based, of {@code totalParts} parts
     * of {@code partSize}) of {@code file} in the shared {@code uploadId}; the task holding part 1 reports the file.
     */
    static void create(KubernetesClient client, MigrationJob job, String name, FileEntry file, long partSize,
                       int first, int last, int totalParts, String uploadId) {
        PartsScope scope = new PartsScope();
        scope.file = file;
        scope.partSize = partSize;
        scope.firstPart = first;
        scope.lastPart = last;
        scope.totalParts = totalParts;
        scope.uploadId = uploadId;
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = TaskType.Parts;
        spec.parts = scope;
        spec.fileCount = first == 1 ? 1 : 0;
        spec.byteCount = Math.min(file.sizeOrZero(), last * partSize) - (first - 1) * partSize;
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(TestResources.NAMESPACE)
                .withLabels(Map.of(Ferry.JOB_LABEL, spec.jobName, Ferry.TASK_TYPE_LABEL, TaskType.Parts.name()))
                .build());
        task.setSpec(spec);
        client.resources(MigrationTask.class).inNamespace(TestResources.NAMESPACE).resource(task).create();
    }
}
