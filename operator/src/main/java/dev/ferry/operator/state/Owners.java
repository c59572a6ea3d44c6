package dev.ferry.operator.state;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.runtime.ControllerReferences;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Owner references to a job: its tasks and workers are garbage-collected with it. */
public final class Owners {

    private Owners() {
    }

    public static OwnerReference controlledBy(MigrationJob job) {
        return new OwnerReferenceBuilder()
                .withApiVersion(job.getApiVersion())
                .withKind(job.getKind())
                .withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /**
     * Whether {@code job}, this very one (by UID, not by name), is the controller of {@code object}: a job
     * deleted and created again under its name is another job, and what the first one owned is not the second's.
     */
    public static boolean isControlledBy(HasMetadata object, MigrationJob job) {
        String uid = job.getMetadata().getUid();
        return uid != null && uid.equals(ControllerReferences.uidOf(object));
    }
}
