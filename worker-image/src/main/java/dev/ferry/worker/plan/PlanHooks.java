package dev.ferry.worker.plan;

/**
 * Test seam: the points of planning where a crash leaves state behind that a resumed plan must handle.
 * Tests of this package throw from here to kill a plan at exactly that point; production uses
 * {@link #NONE}.
 */
interface PlanHooks {
    PlanHooks NONE = point -> { };

    /**
     * Reached after an effect that the plan's status does not yet record: {@code created <task>},
     * {@code upload <key>} (a multipart upload started or found), {@code handoff <dir>} (the checkpoint
     * {@code dir/} written, the child not yet created).
     */
    void reached(String point);
}
