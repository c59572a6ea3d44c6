package dev.ferry.operator.liveness;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * When this operator first saw each object in its current state, on its own clock: the times other
 * machines write (a worker's {@code renewTime}, a kubelet's {@code lastTransitionTime}) are on their
 * clocks, and a change is timed instead from the moment it was seen.
 *
 * <p>A look at an older copy of the object (by resourceVersion) is no change: a reconcile reads its
 * objects at its start and looks at them later, after the informer may have recorded a newer state, and
 * the older copy counted as a change would restart the clock of a state that has already ended.
 *
 * @param <S> the part of the object whose change restarts its clock
 */
final class FirstSeen<S> {
    private final ConcurrentMap<String, Seen<S>> seen = new ConcurrentHashMap<>();

    /** A state as seen: the object's version and when this operator first saw the state. */
    record Seen<S>(S state, String resourceVersion, Instant at) {
        /** Whether {@code version} is older than this one's. */
        boolean isNewerThan(String version) {
            long mine = number(resourceVersion);
            long theirs = number(version);
            return mine >= 0 && theirs >= 0 && theirs < mine;
        }
    }

    /**
     * Records the object {@code key} in {@code state} as seen at {@code now}, unless it was already seen in
     * that state or a newer version of it was.
     *
     * @return what is now the last state seen of {@code key}, with when it was first seen
     */
    Seen<S> look(String key, S state, String resourceVersion, Instant now) {
        return seen.compute(key, (k, before) -> before != null && (before.state.equals(state) || before.isNewerThan(resourceVersion))
                ? before : new Seen<>(state, resourceVersion, now));
    }

    /** Whether {@code state} (or a later version of the object) is the last seen of {@code key}. */
    boolean hasSeen(String key, S state, String resourceVersion) {
        Seen<S> last = seen.get(key);
        return last != null && (last.state.equals(state) || last.isNewerThan(resourceVersion));
    }

    Optional<Seen<S>> last(String key) {
        return Optional.ofNullable(key == null ? null : seen.get(key));
    }

    void forget(String key) {
        seen.remove(key);
    }

    int size() {
        return seen.size();
    }

    /** Resource versions are opaque by contract; the API server's and the local API's are increasing numbers. */
    private static long number(String resourceVersion) {
        try {
            return resourceVersion == null ? -1 : Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
