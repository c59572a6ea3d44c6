package dev.ferry.operator.schedule;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationJobStatus;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When a job that finished a run runs again: a pure function of the job, its status and the clock, so that a new
 * leader decides the same and the arithmetic is tested without an API server.
 *
 * <ul>
 *   <li>The annotation {@value Ferry#RUN_NOW_ANNOTATION} with a value other than {@code status.lastRunNow} makes a
 *       run due at once. Every run records the value it started with, so one value starts one run.</li>
 *   <li>With {@code spec.schedule}, the next run is the first scheduled time after the finished run's
 *       {@code completionTime}: a time that passed while the run was still going starts nothing (the run itself was
 *       the sync of that time), and times missed while the operator was down start one run, not one per time.</li>
 * </ul>
 *
 * @param due why a run should start now, if it should
 * @param nextRunTime the scheduled time of the next run (in the past when it is due)
 * @param problem why the schedule cannot be followed (an invalid expression or time zone)
 * @param schedule the schedule as described for messages, when there is one
 */
public record NextRun(Optional<String> due, Optional<Instant> nextRunTime, Optional<String> problem,
        Optional<String> schedule) {

    public static NextRun of(MigrationJob job, MigrationJobStatus status, Instant now) {
        Optional<String> runNow = runNowRequest(job, status);
        MigrationJobSpec spec = job.getSpec();
        if (spec == null || spec.schedule == null || spec.schedule.isBlank()) {
            return new NextRun(runNow, Optional.empty(), Optional.empty(), Optional.empty());
        }
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(spec.schedule, spec.scheduleTimeZone);
        } catch (IllegalArgumentException e) {
            return new NextRun(runNow, Optional.empty(), Optional.of(e.getMessage()), Optional.empty());
        }
        Instant finished = parse(status.completionTime).or(() -> parse(status.startTime)).orElse(now);
        Optional<Instant> next = schedule.nextAfter(finished);
        if (next.isEmpty()) {
            return new NextRun(runNow, next, Optional.of("spec.schedule " + schedule.describe() + " never matches a date"),
                    Optional.of(schedule.describe()));
        }
        Optional<String> due = runNow.or(() -> next.get().isAfter(now) ? Optional.empty()
                : Optional.of("the schedule " + schedule.describe() + " at " + next.get()));
        return new NextRun(due, next, Optional.empty(), Optional.of(schedule.describe()));
    }

    /** The annotation's value when it asks for a run the status has not started yet. */
    static Optional<String> runNowRequest(MigrationJob job, MigrationJobStatus status) {
        String value = runNowValue(job);
        if (value == null || Objects.equals(value, status.lastRunNow)) {
            return Optional.empty();
        }
        return Optional.of(Ferry.RUN_NOW_ANNOTATION + "=" + value);
    }

    /** The value of the annotation {@value Ferry#RUN_NOW_ANNOTATION}, or null. */
    public static String runNowValue(MigrationJob job) {
        Map<String, String> annotations = job.getMetadata() == null ? null : job.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(Ferry.RUN_NOW_ANNOTATION);
    }

    private static Optional<Instant> parse(String timestamp) {
        try {
            return timestamp == null ? Optional.empty() : Optional.of(OffsetDateTime.parse(timestamp).toInstant());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
