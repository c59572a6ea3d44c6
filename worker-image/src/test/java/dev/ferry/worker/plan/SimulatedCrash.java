package dev.ferry.worker.plan;

import java.util.concurrent.atomic.AtomicBoolean;

/** Kills a plan at a {@link PlanHooks} point: an Error, so nothing in the runner catches it or writes status. */
final class SimulatedCrash extends Error {
    SimulatedCrash(String point) {
        super("simulated crash at " + point, null, false, false);
    }

    /** Hooks that crash at the first point whose name starts with {@code prefix}. */
    static PlanHooks atFirst(String prefix) {
        AtomicBoolean done = new AtomicBoolean();
        return point -> {
            if (point.startsWith(prefix) && done.compareAndSet(false, true)) {
                throw new SimulatedCrash(point);
            }
        };
    }
}
