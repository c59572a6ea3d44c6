package dev.ferry.operator.assignment;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.operator.liveness.WorkerClocks;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import dev.ferry.operator.status.JobEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Takes back Running tasks whose holder lives (its Lease is fresh) but whose work stands still: no
 * {@code progressTime} — or, before the first one of this holding, no hand-out — for longer than
 * {@code spec.tasks.stallTimeout} (a hung NFS read, a deadlock). The holder writes {@code progressTime} for
 * every file done and for bytes read or sent, so a slow upload of a huge file keeps moving and is no stall. The
 * new epoch fences the stalled holder out; {@link TakeBack} counts it like a holder that died. A task whose
 * outcomes wait for Kafka's acknowledgement is not stalled: it waits for the broker, as its next holder
 * would (the job shows {@code NotificationsPending}). Runs after {@link DeadWorkerReclaimer}, so it sees only
 * tasks of live holders. One {@code TaskStalled} Event per reconcile names them all.
 */
public final class StallReclaimer {
    static final String TASK_STALLED = "TaskStalled";
    /** Tasks named in the Event; the count says how many there are. */
    private static final int NAMED = 5;

    private final TakeBack takeBack;
    private final JobEvents events;

    public StallReclaimer(TakeBack takeBack, JobEvents events) {
        this.takeBack = takeBack;
        this.events = events;
    }

    /** Returns how many stalled tasks were taken back. */
    public int reclaim(JobState state) {
        Duration timeout = state.job().getSpec().tasksOrDefaults().stallTimeoutDuration();
        List<String> stalled = new ArrayList<>();
        for (MigrationTask task : state.tasks()) {
            Optional<Instant> since = stalledSince(task, timeout, state.now(), state.workerClocks());
            if (since.isEmpty()) {
                continue;
            }
            String worker = task.getStatus().assignment == null ? "?" : task.getStatus().assignment.worker;
            String why = "stalled: worker " + worker + " renews its Lease but has not moved the task forward since "
                    + since.get() + " (spec.tasks.stallTimeout is " + TakeBack.human(timeout) + ")";
            if (takeBack.disrupted(state, task, why)) {
                stalled.add(task.getMetadata().getName() + " on " + worker);
            }
        }
        if (!stalled.isEmpty()) {
            String named = String.join(", ", stalled.subList(0, Math.min(NAMED, stalled.size())))
                    + (stalled.size() > NAMED ? " and " + (stalled.size() - NAMED) + " more" : "");
            events.warning(state.job(), TASK_STALLED, stalled.size() + " task(s) made no progress for "
                    + TakeBack.human(timeout) + " and were taken back from their holders: " + named);
        }
        return stalled.size();
    }

    /** The earliest moment a Running task would count as stalled if nothing moves: time passing raises no event. */
    public Optional<Instant> nextDeadline(JobState state) {
        Duration timeout = state.job().getSpec().tasksOrDefaults().stallTimeoutDuration();
        return state.tasks().stream()
                .filter(StallReclaimer::watched)
                .flatMap(task -> Tasks.lastMove(task, state.workerClocks()).stream())
                .map(last -> last.plus(timeout))
                .filter(deadline -> deadline.isAfter(state.now()))
                .min(Instant::compareTo);
    }

    /**
     * Since when the task has stood still, when that is longer than {@code timeout}: its last move on the
     * operator's clock ({@code clocks}), so that a holder whose clock lags is not stalled for ever.
     */
    static Optional<Instant> stalledSince(MigrationTask task, Duration timeout, Instant now, WorkerClocks clocks) {
        if (!watched(task)) {
            return Optional.empty();
        }
        return Tasks.lastMove(task, clocks).filter(last -> now.isAfter(last.plus(timeout)));
    }

    private static boolean watched(MigrationTask task) {
        return Tasks.phase(task) == TaskPhase.Running && Tasks.eventsPending(task) == 0;
    }
}
