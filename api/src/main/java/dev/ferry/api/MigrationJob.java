package dev.ferry.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A migration of one file tree into one bucket. The spec is the user's and is never written by
 * Ferry; the status is written by the operator only.
 */
@Group(Ferry.GROUP)
@Version(Ferry.VERSION)
@Kind("MigrationJob")
@Plural("migrationjobs")
@Singular("migrationjob")
@ShortNames("mj")
@Categories(Ferry.CATEGORY)
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Phase", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Progress", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".status.progress")
@AdditionalPrinterColumn(name = "Files", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.files.total")
@AdditionalPrinterColumn(name = "Bytes", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.bytes.copied")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
@ValidationRule(value = "size(self.metadata.name) <= " + MigrationJob.MAX_NAME_LENGTH,
        message = "metadata.name must be at most 63 characters: it is the value of the ferry.dev/job label of the"
                + " job's tasks and worker pods, and a label value holds no more")
// A run's plan names files of the tree it was planned from; a source changed under it would have its remaining
// tasks read (and a Move delete) files of another tree under the planned names. Between runs (and before the
// first) the next plan is made from the new source.
@ValidationRule(value = "!has(oldSelf.status) || !has(oldSelf.status.phase)"
        + " || oldSelf.status.phase in ['Pending', 'Succeeded', 'Failed'] || self.spec.source == oldSelf.spec.source",
        message = "source cannot change while a run is in progress (phase Planning, Running, Verifying or Suspended):"
                + " the run's plan names files of the tree it was made from; change it once the run has ended,"
                + " or create a new job", fieldPath = ".spec.source")
public class MigrationJob extends CustomResource<MigrationJobSpec, MigrationJobStatus> implements Namespaced {
    /** The longest name a job may have: a Kubernetes label value's limit, since its name labels its objects. */
    public static final int MAX_NAME_LENGTH = 63;

    @Override
    protected MigrationJobStatus initStatus() {
        return new MigrationJobStatus();
    }
}
