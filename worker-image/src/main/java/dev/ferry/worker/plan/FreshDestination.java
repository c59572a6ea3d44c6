package dev.ferry.worker.plan;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.Listings;
import dev.ferry.worker.s3.ObjectKeys;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

/**
 * Whether a plan's directory has nothing at the destination yet, asked with one listing before the plan emits
 * its first task. Every key under the directory's folder belongs to exactly one task of this plan or of its child
 * plans, so when the folder was empty, the only objects a Copy task of the plan can meet under its keys are ones
 * an earlier holder of the same task wrote — none for its first holder. That holder can then copy without the
 * listing of its keys that the IfDifferent check otherwise needs (a listing per folder of the task: on trees of
 * small files about a tenth of the worker's requests and of the store's work).
 *
 * <p>Answered "no" whenever it cannot be sure: the policy is not IfDifferent (Never must see a foreign object
 * written since, Always lists nothing anyway), the listing fails, or anything but the jobs' state folder
 * ({@code .ferry/}, at the top) is there. A foreign writer that puts an object
 * under the folder during the migration gets it overwritten, as IfDifferent would when the contents differ.
 */
final class FreshDestination {
    private static final Logger LOG = LoggerFactory.getLogger(FreshDestination.class);

    private FreshDestination() {
    }

    /**
     * Whether the plan's Copy tasks may be marked: asked of the store when the plan begins, then kept in its state
     * ({@link PlanState#freshDestination}), so that a plan resumed after some tasks (released to make room, or
     * taken back) marks the rest as its first holder did. That stays true: the keys of the tasks still to come
     * belong to no task yet, so no holder of this job has written them.
     */
    static boolean of(MigrationJob job, PlanState state, String directory, Supplier<EndpointPool> store) {
        if (job.getSpec().overwriteOrDefault() != OverwritePolicy.IfDifferent) {
            return false;
        }
        if (state.tasksCreated > 0 || state.checkpoint != null) {
            return state.freshDestination;
        }
        state.freshDestination = empty(job, directory, store);
        return state.freshDestination;
    }

    private static boolean empty(MigrationJob job, String directory, Supplier<EndpointPool> store) {
        String prefix = job.getSpec().destination.normalizedPrefix();
        String folder = directory.isEmpty() ? (prefix.isEmpty() ? "" : prefix + "/")
                : ObjectKeys.keyOf(prefix, directory) + "/";
        String stateFolder = ObjectKeys.keyOf(prefix, StatePrefix.DIRECTORY) + "/";
        try {
            // Two keys at most: the state folder, and whatever else would show the folder is in use.
            ListObjectsV2Response listed = store.get().callGateway(gateway -> Listings.objects(gateway, b -> b
                    .bucket(job.getSpec().destination.bucket).prefix(folder).delimiter("/").maxKeys(2)));
            return !Boolean.TRUE.equals(listed.isTruncated()) && listed.contents().isEmpty()
                    && listed.commonPrefixes().stream().allMatch(p -> p.prefix().equals(stateFolder));
        } catch (RuntimeException e) {
            LOG.debug("could not list {} of the destination: its tasks will list what exists", folder, e);
            return false;
        }
    }
}
