package dev.ferry.worker.plan;

/** Thrown inside the walk to stop it: the worker drains, or the job has no room for more tasks. */
final class PlanPaused extends RuntimeException {
    enum Why { STOPPING, NO_ROOM }

    final Why why;

    private PlanPaused(Why why, String message) {
        super(message, null, false, false);
        this.why = why;
    }

    static PlanPaused stopping() {
        return new PlanPaused(Why.STOPPING, "the worker is stopping");
    }

    static PlanPaused noRoom(int occupied, int maxActive) {
        return new PlanPaused(Why.NO_ROOM, occupied + " unfinished tasks (and Succeeded ones not folded yet) reach"
                + " spec.tasks.maxActive " + maxActive);
    }
}
