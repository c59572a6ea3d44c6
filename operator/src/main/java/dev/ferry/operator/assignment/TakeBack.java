package dev.ferry.operator.assignment;

import dev.ferry.api.FailureCode;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.operator.liveness.WorkerClocks;
import dev.ferry.operator.metrics.AssignmentMetrics;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a task back from its holder — the one place that decides what a takeback costs. The task goes
 * back to Pending with a new epoch (so the old holder's next write is refused) and keeps its progress and
 * checkpoint. Disruption is not failure: a holder that died, was drained or stalled uses one of the task's
 * {@code spec.tasks.maxAttempts} only when it moved nothing while it held the task (see {@link Count}); a
 * task whose holders keep dying that way is Failed with {@code HOLDERS_DIED} after {@code maxAttempts} of
 * them, its files reported, so a file that kills every worker that touches it still ends.
 */
public final class TakeBack {
    private static final Logger LOG = LoggerFactory.getLogger(TakeBack.class);
    /** Backoff after a holder died without progress: as the worker's after a failed attempt, doubling and capped. */
    static final Duration BACKOFF_BASE = Duration.ofSeconds(10);
    static final Duration BACKOFF_MAX = Duration.ofMinutes(5);
    /**
     * Brief holds excused in a row, per attempt of {@code maxAttempts}. Under sustained churn on a busy cluster (a
     * node reclaimed every few seconds, workers that need seconds to start), a healthy task can meet several
     * holders in a row that die before they move it (the chaos suite saw five); a file that kills its holder at
     * once meets nothing else, and still ends after this many quick deaths plus {@code maxAttempts} slower ones.
     */
    static final int BRIEF_HOLDS_PER_ATTEMPT = 3;

    private final TaskStatusWriter writer;
    private final Duration grace;
    private final AssignmentMetrics meters;

    /** @param grace a holder that held a task for less than this did not get a chance to move it */
    public TakeBack(TaskStatusWriter writer, Duration grace) {
        this(writer, grace, AssignmentMetrics.NONE);
    }

    /** @param meters counts each take-back written ({@code ferry_task_takebacks_total}) */
    public TakeBack(TaskStatusWriter writer, Duration grace, AssignmentMetrics meters) {
        this.writer = writer;
        this.grace = grace;
        this.meters = meters;
    }

    /** What taking a task back from a holder that died, was drained or stalled costs it. */
    enum Count {
        /** The holder moved the task forward ({@code progressTime} after {@code assignment.since}): a takeback. */
        MOVED_FORWARD,
        /** The holder never started the task (still Assigned: prefetched): a takeback. */
        NOT_STARTED,
        /**
         * The holder started the task and moved nothing, but held it for less than the grace — killed right after
         * the hand-out, it had no chance: a takeback. At most {@link #BRIEF_HOLDS_PER_ATTEMPT} × {@code maxAttempts} in a row
         * ({@code takebacksWithoutProgress}), or a file that kills its holder at once would never end.
         */
        BRIEF_HOLD,
        /**
         * As {@link #BRIEF_HOLD}, while other workers of the job died too ({@link #CHURN_PODS} or more worker pods
         * started since the hand-out: more than the holder's own replacement). Churn kills holders whatever they
         * hold; a file that kills its holder kills only the holders of its task. So such a death says nothing of
         * the task and does not count towards {@code takebacksWithoutProgress}.
         */
        BRIEF_HOLD_AMID_CHURN,
        /** The holder started the task and moved nothing for longer than the grace: an attempt, with backoff. */
        NO_PROGRESS;

        boolean usesAnAttempt() {
            return this == NO_PROGRESS;
        }
    }

    /** Worker pods started since a hand-out that show churn: the dead holder's replacement and one more. */
    static final int CHURN_PODS = 2;

    /**
     * @param podsStartedSinceHandOut the job's worker pods created after the task was handed to its holder
     */
    static Count judge(MigrationTask task, Instant now, Duration grace, int maxAttempts, int podsStartedSinceHandOut,
            WorkerClocks clocks) {
        if (Tasks.movedForwardSinceHandOut(task, clocks)) {
            return Count.MOVED_FORWARD;
        }
        if (Tasks.phase(task) == TaskPhase.Assigned) {
            return Count.NOT_STARTED;
        }
        Optional<Duration> held = Tasks.since(task).map(since -> Duration.between(since, now));
        int briefInARow = task.getStatus().takebacksWithoutProgressOrZero();
        if (held.isPresent() && held.get().compareTo(grace) < 0 && podsStartedSinceHandOut >= CHURN_PODS) {
            return Count.BRIEF_HOLD_AMID_CHURN;
        }
        if (held.isPresent() && held.get().compareTo(grace) < 0 && briefInARow < BRIEF_HOLDS_PER_ATTEMPT * maxAttempts) {
            return Count.BRIEF_HOLD;
        }
        return Count.NO_PROGRESS;
    }

    /**
     * Takes the task back from a holder that died, was drained or stalled ({@code why}), counted as
     * {@link #judge} says; Failed with {@code HOLDERS_DIED} when that was its last attempt. Returns false when
     * someone wrote the task first (the next reconcile decides again).
     */
    public boolean disrupted(JobState state, MigrationTask task, String why) {
        int maxAttempts = state.job().getSpec().tasksOrDefaults().maxAttemptsOrDefault();
        Count count = judge(task, state.now(), grace, maxAttempts, podsStartedSinceHandOut(state, task),
                state.workerClocks());
        MigrationTaskStatus before = task.getStatus();
        long epoch = Tasks.epoch(task) + 1;
        if (count.usesAnAttempt() && before.attemptsOrZero() + 1 >= maxAttempts) {
            return giveUp(state, task, why, epoch, maxAttempts);
        }
        int attempts = before.attemptsOrZero() + (count.usesAnAttempt() ? 1 : 0);
        int takebacks = before.takebacksOrZero() + (count.usesAnAttempt() ? 0 : 1);
        Instant notBefore = count.usesAnAttempt() ? state.now().plus(backoffAfter(attempts)) : null;
        String message = "taken back: " + why + switch (count) {
            case MOVED_FORWARD -> "; it had moved the task forward: no attempt used (takeback " + takebacks + ")";
            case NOT_STARTED -> ", before it started the task: no attempt used (takeback " + takebacks + ")";
            case BRIEF_HOLD -> " after holding the task for only " + held(task, state.now()) + " (less than "
                    + human(grace) + "): no attempt used (takeback " + takebacks + ")";
            case BRIEF_HOLD_AMID_CHURN -> " after holding the task for only " + held(task, state.now())
                    + ", while other workers of the job were replaced too: no attempt used (takeback " + takebacks + ")";
            case NO_PROGRESS -> " without moving the task forward in " + held(task, state.now()) + ": attempt "
                    + attempts + " of " + maxAttempts + " used, handed out again after " + notBefore;
        };
        Optional<MigrationTask> written = writer.write(state, task, status -> {
            status.phase = TaskPhase.Pending;
            status.attempts = attempts;
            status.takebacks = takebacks == 0 ? null : takebacks;
            status.takebacksWithoutProgress = switch (count) {
                case MOVED_FORWARD -> null;
                case BRIEF_HOLD -> status.takebacksWithoutProgressOrZero() + 1;
                default -> status.takebacksWithoutProgress;
            };
            status.notBefore = notBefore == null ? null : notBefore.toString();
            status.assignment = fenced(epoch);
            status.message = message;
            return status;
        });
        written.ifPresent(t -> {
            meters.takenBack(count.usesAnAttempt());
            LOG.info("job {}/{}: task {} {} (epoch {})", state.namespace(), state.name(),
                    task.getMetadata().getName(), message, epoch);
        });
        return written.isPresent();
    }

    /**
     * Moves a task that its holder has not started to another worker: Pending with a new epoch, nothing counted
     * (no attempt, no takeback) — the holder lost no work and did nothing wrong.
     */
    public boolean moved(JobState state, MigrationTask task, String why) {
        long epoch = Tasks.epoch(task) + 1;
        String message = "moved: " + why;
        Optional<MigrationTask> written = writer.write(state, task, status -> {
            status.phase = TaskPhase.Pending;
            status.attempts = status.attemptsOrZero();
            status.notBefore = null;
            status.assignment = fenced(epoch);
            status.message = message;
            return status;
        });
        written.ifPresent(t -> LOG.info("job {}/{}: task {} {} (epoch {})", state.namespace(), state.name(),
                task.getMetadata().getName(), message, epoch));
        return written.isPresent();
    }

    private boolean giveUp(JobState state, MigrationTask task, String why, long epoch, int maxAttempts) {
        int attempts = task.getStatus().attemptsOrZero() + 1;
        String message = "gave up after " + attempts + " attempts (spec.tasks.maxAttempts is " + maxAttempts
                + "): its holders died without moving it forward (" + FailureCode.HOLDERS_DIED + "); last: " + why
                + ", after holding it for " + held(task, state.now());
        Optional<MigrationTask> written = writer.write(state, task, status -> {
            status.phase = TaskPhase.Failed;
            status.attempts = attempts;
            status.notBefore = null;
            status.assignment = fenced(epoch);
            status.message = message;
            status.failures = UnfinishedFiles.of(task, FailureCode.HOLDERS_DIED, "not migrated: the task " + message);
            return status;
        });
        written.ifPresent(t -> {
            meters.takenBack(true); // its last attempt
            LOG.warn("job {}/{}: task {} failed: {}", state.namespace(), state.name(),
                    task.getMetadata().getName(), message);
        });
        return written.isPresent();
    }

    private static int podsStartedSinceHandOut(JobState state, MigrationTask task) {
        Optional<Instant> since = Tasks.since(task);
        if (since.isEmpty()) {
            return 0;
        }
        return (int) state.workerPods().stream()
                .map(pod -> Tasks.parse(pod.getMetadata().getCreationTimestamp()))
                .filter(created -> created.isPresent() && created.get().isAfter(since.get()))
                .count();
    }

    /** No holder: the next hand-out raises the epoch again, and the old holder's writes are refused meanwhile. */
    private static MigrationTaskStatus.Assignment fenced(long epoch) {
        MigrationTaskStatus.Assignment assignment = new MigrationTaskStatus.Assignment();
        assignment.epoch = epoch;
        return assignment;
    }

    static Duration backoffAfter(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 16));
        Duration delay = BACKOFF_BASE.multipliedBy(1L << doublings);
        return delay.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : delay;
    }

    private static String held(MigrationTask task, Instant now) {
        return Tasks.since(task).map(since -> human(Duration.between(since, now))).orElse("an unknown time");
    }

    /** 95s → 1m35s, as a person reads it. */
    static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        return minutes < 60 ? minutes + "m" + (seconds % 60 == 0 ? "" : seconds % 60 + "s")
                : minutes / 60 + "h" + (minutes % 60 == 0 ? "" : minutes % 60 + "m");
    }
}
