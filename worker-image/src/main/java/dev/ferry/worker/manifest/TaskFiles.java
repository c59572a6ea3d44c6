package dev.ferry.worker.manifest;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.worker.s3.EndpointPool;
import java.util.List;

/** The files of a Copy task, wherever its spec keeps them: inline, or in a manifest object. */
public final class TaskFiles {
    private TaskFiles() {
    }

    /**
     * The task's list in its order (the order its checkpoint counts in). A manifest is read through the
     * job's gateways; reading fails with a {@link dev.ferry.worker.task.RetryableTaskException}.
     */
    public static List<FileEntry> of(MigrationJob job, MigrationTask task, EndpointPool s3) {
        MigrationTaskSpec spec = task.getSpec();
        if (spec.files != null) {
            return spec.files;
        }
        if (spec.manifest != null && spec.manifest.key != null) {
            return Manifests.read(s3, job.getSpec().destination.bucket, spec.manifest);
        }
        throw new IllegalStateException("task " + task.getMetadata().getName()
                + " has neither spec.files nor spec.manifest");
    }
}
