package dev.ferry.operator.state;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Which of two cached copies of one object is the later. Two informers of the same kind (the
 * controller's own, and the one that passes on a new {@code ferry.dev/run-now}) see the same watch
 * events, but not at the same moment: the event of one may start a reconcile while the other still
 * holds the copy before it.
 */
public final class ResourceVersions {
    private ResourceVersions() {
    }

    /**
     * {@code other} when it is a later version of {@code current}, else {@code current}. Resource
     * versions are opaque strings by contract; the API server's (etcd revisions) and the local API's are
     * increasing numbers, compared as such. Anything that is not a number keeps {@code current}.
     */
    public static <T extends HasMetadata> T later(T current, T other) {
        if (other == null || current == null) {
            return current != null ? current : other;
        }
        long mine = number(current.getMetadata().getResourceVersion());
        long theirs = number(other.getMetadata().getResourceVersion());
        return mine >= 0 && theirs > mine ? other : current;
    }

    private static long number(String resourceVersion) {
        if (resourceVersion == null) {
            return -1;
        }
        try {
            return Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
