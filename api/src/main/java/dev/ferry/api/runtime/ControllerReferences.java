package dev.ferry.api.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;

/**
 * An object's controller, the one owner reference marked {@code controller: true}: for a task and a worker
 * Deployment, the job they belong to, told apart by UID from a job of the same name deleted and created again.
 */
public final class ControllerReferences {
    private ControllerReferences() {
    }

    /** The UID of {@code object}'s controller, or null when it has none. */
    public static String uidOf(HasMetadata object) {
        if (object.getMetadata() == null || object.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (OwnerReference owner : object.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(owner.getController())) {
                return owner.getUid();
            }
        }
        return null;
    }
}
