package dev.ferry.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Objects;

/**
 * One unit of work of a job, held by at most one worker at a time. Created by the operator (the
 * first plan) or by a planning worker, owned by its job; its spec never changes. Its status is the
 * hand-over point: the operator writes the assignment, the holder writes progress and the result,
 * both with a resourceVersion precondition.
 */
@Group(Ferry.GROUP)
@Version(Ferry.VERSION)
@Kind("MigrationTask")
@Plural("migrationtasks")
@Singular("migrationtask")
@ShortNames("mt")
@Categories(Ferry.CATEGORY)
@AdditionalPrinterColumn(name = "Job", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.jobName")
@AdditionalPrinterColumn(name = "Type", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.type")
@AdditionalPrinterColumn(name = "Phase", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Worker", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.assignment.worker")
@AdditionalPrinterColumn(name = "Attempts", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.attempts")
@AdditionalPrinterColumn(name = "Files", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".spec.fileCount")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class MigrationTask extends CustomResource<MigrationTaskSpec, MigrationTaskStatus> implements Namespaced {

    @Override
    protected MigrationTaskStatus initStatus() {
        return new MigrationTaskStatus();
    }

    /**
     * Hashes what names this version of the task (namespace, name, resourceVersion), not all it holds:
     * JOSDK hands a job's tasks to every reconcile in hash sets, and hashing 10,000 tasks deeply (metadata,
     * labels, owner references) took a fifth of the operator's CPU. Equality is CustomResource's, unchanged:
     * tasks it finds equal have equal metadata, so they still hash alike.
     */
    @Override
    public int hashCode() {
        ObjectMeta metadata = getMetadata();
        return metadata == null ? 0
                : Objects.hash(metadata.getNamespace(), metadata.getName(), metadata.getResourceVersion());
    }

    @Override
    public boolean equals(Object other) {
        return super.equals(other);
    }
}
