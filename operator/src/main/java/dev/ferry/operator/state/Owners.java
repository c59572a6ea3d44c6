package dev.ferry.operator.state;

import dev.ferry.api.MigrationJob;
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
}
