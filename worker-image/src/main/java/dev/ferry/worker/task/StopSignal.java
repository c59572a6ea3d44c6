package dev.ferry.worker.task;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells running tasks to stop starting new work, shared by everything a worker runs. Set on SIGTERM
 * (drain and release) or for one task when it was lost. A task's signal may also hold new work back for a
 * while ({@link #awaitStart}): while the worker's Lease lapses.
 */
public interface StopSignal {
    boolean stopRequested();

    StopSignal NEVER = () -> false;

    /** Called before a new file or part starts: waits while it may not start yet. Returns at once by default. */
    default void awaitStart() throws InterruptedException {
    }

    /**
     * Whether new work may start now, without waiting: {@link #awaitStart} would return at once. A thread that goes
     * on from one file to the next asks this; only {@link #awaitStart} waits and then confirms the task is held.
     */
    default boolean startsAtOnce() {
        return true;
    }

    default StopSignal or(StopSignal other) {
        StopSignal self = this;
        return new StopSignal() {
            @Override
            public boolean stopRequested() {
                return self.stopRequested() || other.stopRequested();
            }

            @Override
            public void awaitStart() throws InterruptedException {
                self.awaitStart();
                other.awaitStart();
            }

            @Override
            public boolean startsAtOnce() {
                return self.startsAtOnce() && other.startsAtOnce();
            }
        };
    }

    /**
     * This signal, whose {@link #awaitStart} also waits while {@code standing} is lapsed and, after such a pause,
     * runs {@code confirmHeld} — a fenced write of the task, which makes this signal stop the task if it was
     * handed to another worker meanwhile — before new work starts. A lapse that {@link #startsAtOnce} saw counts as
     * such a pause: from then on it answers false, even once the standing is good again, until {@link #awaitStart}
     * has confirmed the task; so a thread that was busy through the lapse and looks only after it cannot start new
     * work on a task that was handed on meanwhile.
     */
    default StopSignal pausedWhileLapsed(WorkerStanding standing, Runnable confirmHeld) {
        StopSignal self = this;
        AtomicBoolean lapseSeen = new AtomicBoolean();
        return new StopSignal() {
            @Override
            public boolean stopRequested() {
                return self.stopRequested();
            }

            @Override
            public void awaitStart() throws InterruptedException {
                self.awaitStart();
                if (standing.awaitGood(self) || lapseSeen.get()) {
                    confirmHeld.run();
                    lapseSeen.set(false); // after the confirmation: nothing starts at once before it has ended
                }
            }

            @Override
            public boolean startsAtOnce() {
                if (!self.startsAtOnce() || lapseSeen.get()) {
                    return false;
                }
                if (standing.lapse().isPresent()) {
                    lapseSeen.set(true);
                    return false;
                }
                return true;
            }
        };
    }
}
