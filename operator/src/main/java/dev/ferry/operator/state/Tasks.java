package dev.ferry.operator.state;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.liveness.WorkerClocks;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.Optional;

/** Reading a task's state, with the defaults of a task nobody has written a status for yet. */
public final class Tasks {

    private Tasks() {
    }

    /** A task without a status was just created: it waits to be handed out. */
    public static TaskPhase phase(MigrationTask task) {
        return task.getStatus() == null || task.getStatus().phase == null ? TaskPhase.Pending : task.getStatus().phase;
    }

    public static TaskType type(MigrationTask task) {
        return task.getSpec() == null || task.getSpec().type == null ? TaskType.Copy : task.getSpec().type;
    }

    public static Optional<String> holderUid(MigrationTask task) {
        MigrationTaskStatus status = task.getStatus();
        return status == null || status.assignment == null ? Optional.empty() : Optional.ofNullable(status.assignment.podUid);
    }

    public static int attempts(MigrationTask task) {
        return task.getStatus() == null ? 0 : task.getStatus().attemptsOrZero();
    }

    public static long epoch(MigrationTask task) {
        return task.getStatus() == null ? 0 : task.getStatus().epochOrZero();
    }

    /**
     * When a backed-off task may be handed out again, on the operator's clock; empty when it may be now. A holder
     * that hands its task back (a failed attempt, the store refusing, a plan without room) writes it with its
     * node's clock and leaves its UID in the assignment, which puts the time on the operator's; a takeback's is
     * the operator's own and leaves no holder UID.
     */
    public static Optional<Instant> notBefore(MigrationTask task, WorkerClocks clocks) {
        // an unreadable backoff must not park a task forever: it reads as none
        return task.getStatus() == null ? Optional.empty() : onOperatorClock(task, parse(task.getStatus().notBefore), clocks);
    }

    /** When the task was handed to its current (or last) holder. */
    public static Optional<Instant> since(MigrationTask task) {
        MigrationTaskStatus status = task.getStatus();
        return status == null || status.assignment == null ? Optional.empty() : parse(status.assignment.since);
    }

    /**
     * When the task was last moved forward, on the operator's clock: {@code progressTime} as its current holder's
     * clock puts it there. A {@code progressTime} left by an earlier holder is shifted by the current holder's
     * offset too; it is older than the hand-out unless those two workers' clocks differ by more than the time
     * between.
     */
    public static Optional<Instant> progressTime(MigrationTask task, WorkerClocks clocks) {
        return task.getStatus() == null ? Optional.empty() : onOperatorClock(task, parse(task.getStatus().progressTime), clocks);
    }

    /**
     * When the holder that handed the task back met its {@code storeError}, on the operator's clock (its UID stays in
     * the assignment until the next hand-out); empty without one or without a readable time.
     */
    public static Optional<Instant> storeErrorTime(MigrationTask task, WorkerClocks clocks) {
        MigrationTaskStatus.StoreError error = task.getStatus() == null ? null : task.getStatus().storeError;
        return error == null ? Optional.empty() : onOperatorClock(task, parse(error.time), clocks);
    }

    /** A time the task's holder wrote with its node's clock, on the operator's. */
    private static Optional<Instant> onOperatorClock(MigrationTask task, Optional<Instant> written, WorkerClocks clocks) {
        return written.map(time -> clocks.onOperatorClock(holderUid(task).orElse(null), time));
    }

    /**
     * Whether the current holder moved the task forward since it was handed the task: {@code progressTime}
     * (the worker's clock, put on the operator's) after {@code assignment.since} (the operator's).
     */
    public static boolean movedForwardSinceHandOut(MigrationTask task, WorkerClocks clocks) {
        Optional<Instant> since = since(task);
        Optional<Instant> progress = progressTime(task, clocks);
        return since.isPresent() && progress.isPresent() && progress.get().isAfter(since.get());
    }

    /** The last sign of life of the task's work, on the operator's clock: its last progress, or its hand-out when that is later. */
    public static Optional<Instant> lastMove(MigrationTask task, WorkerClocks clocks) {
        Optional<Instant> since = since(task);
        Optional<Instant> progress = progressTime(task, clocks);
        if (progress.isEmpty()) {
            return since;
        }
        return since.filter(s -> s.isAfter(progress.get())).or(() -> progress);
    }

    /** Outcomes the holder has but whose Kafka events wait for an acknowledgement. */
    public static long eventsPending(MigrationTask task) {
        MigrationTaskStatus status = task.getStatus();
        return status == null || status.progress == null || status.progress.eventsPending == null
                ? 0 : status.progress.eventsPending;
    }

    /** How many files the task covers: its spec's count, else its inline list or manifest; a Plan task covers none. */
    public static long fileCount(MigrationTask task) {
        MigrationTaskSpec spec = task.getSpec();
        if (spec == null || type(task) == TaskType.Plan) {
            return 0;
        }
        if (spec.fileCount != null) {
            return spec.fileCount;
        }
        if (spec.files != null) {
            return spec.files.size();
        }
        return spec.manifest != null && spec.manifest.files != null ? spec.manifest.files : 0;
    }

    /**
     * An RFC 3339 time; empty when absent or unreadable. The UTC forms the API server and
     * {@link Instant#toString} write ({@code 2026-12-03T13:25:47Z}, with up to nine fraction digits) are
     * read without a formatter: every reconcile reads a few times of every live task, and the formatter
     * was a visible share of the operator's CPU. Other forms (offsets) go to {@link OffsetDateTime#parse}.
     */
    public static Optional<Instant> parse(String timestamp) {
        if (timestamp == null) {
            return Optional.empty();
        }
        Instant utc = utc(timestamp);
        if (utc != null) {
            return Optional.of(utc);
        }
        try {
            return Optional.of(OffsetDateTime.parse(timestamp).toInstant());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}; null for any other form or a date that does not exist. */
    static Instant utc(String t) {
        int n = t.length();
        if (n < 20 || n == 21 || n > 30 || t.charAt(4) != '-' || t.charAt(7) != '-' || Character.toUpperCase(t.charAt(10)) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':' || Character.toUpperCase(t.charAt(n - 1)) != 'Z'
                || (n > 20 && t.charAt(19) != '.')) {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        int fraction = n > 20 ? digits(t, 20, n - 21) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59 || fraction < 0 || day > YearMonth.of(year, month).lengthOfMonth()) {
            return null; // a leap second, or no such day: the formatter decides
        }
        int nanos = fraction;
        for (int scale = n > 20 ? n - 21 : 9; scale < 9; scale++) {
            nanos *= 10;
        }
        long epochSecond = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The decimal number of {@code length} ASCII digits at {@code start}; -1 when one is not a digit. */
    private static int digits(String text, int start, int length) {
        int value = 0;
        for (int i = start; i < start + length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
