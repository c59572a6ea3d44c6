package dev.ferry.operator.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A job's {@code spec.schedule}: a cron expression of the UNIX definition (five fields: minute, hour, day of month,
 * month, day of week; no seconds, no nicknames such as {@code @daily}) in {@code spec.scheduleTimeZone} (UTC when
 * unset). Parsed by cron-utils, so the arithmetic (ranges, steps, day-of-month against day-of-week, daylight saving
 * gaps) is a well-kept library's, not ours.
 */
public final class CronSchedule {
    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime times;

    private CronSchedule(String expression, ZoneId zone, ExecutionTime times) {
        this.expression = expression;
        this.zone = zone;
        this.times = times;
    }

    /**
     * The schedule of {@code expression} in {@code timeZone} (null: UTC).
     *
     * @throws IllegalArgumentException naming the field and why, worded for a user
     */
    public static CronSchedule parse(String expression, String timeZone) {
        ZoneId zone = zone(timeZone);
        String trimmed = expression == null ? "" : expression.trim();
        Cron cron;
        try {
            cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse(trimmed).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.schedule '" + expression + "' is not a cron expression of 5 fields"
                    + " (minute hour day-of-month month day-of-week, e.g. '0 2 * * *'): " + e.getMessage(), e);
        }
        return new CronSchedule(trimmed, zone, ExecutionTime.forCron(cron));
    }

    private static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(timeZone.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("spec.scheduleTimeZone '" + timeZone
                    + "' is not a time zone: give an IANA name such as Europe/Berlin, or leave it out for UTC", e);
        }
    }

    /** The first scheduled time strictly after {@code moment}; empty for an expression that never matches (30 February). */
    public Optional<Instant> nextAfter(Instant moment) {
        return times.nextExecution(ZonedDateTime.ofInstant(moment, zone)).map(ZonedDateTime::toInstant);
    }

    /** {@code '0 2 * * *' (UTC)}, for messages. */
    public String describe() {
        return "'" + expression + "' (" + zone.getId() + ")";
    }
}
