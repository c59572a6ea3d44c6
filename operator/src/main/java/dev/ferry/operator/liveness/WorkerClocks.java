package dev.ferry.operator.liveness;

import java.time.Instant;

/**
 * Puts a time a worker wrote with its node's clock (a task's {@code progressTime}) on the operator's clock,
 * so that it compares with the operator's own times ({@code assignment.since}, now) whatever the skew
 * between the two machines. {@link LeaseRenewals} knows each worker's offset from its Lease.
 */
@FunctionalInterface
public interface WorkerClocks {
    /** Takes every worker's times as written: for states built from objects alone (tests, tools). */
    WorkerClocks AS_WRITTEN = (podUid, workerTime) -> workerTime;

    /** {@code workerTime}, written by the worker pod with UID {@code podUid}, on the operator's clock. */
    Instant onOperatorClock(String podUid, Instant workerTime);
}
