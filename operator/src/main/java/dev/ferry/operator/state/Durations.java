package dev.ferry.operator.state;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.TasksSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations of a job's spec, in Go's notation as the schema accepts them ({@code 30s}, {@code 5m}, {@code 1h30m}). */
public final class Durations {
    private static final Pattern WHOLE = Pattern.compile("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

    private Durations() {
    }

    /** {@code spec.tasks.stallTimeout}; the default when the spec's value cannot be read (the schema refuses it). */
    public static Duration stallTimeout(MigrationJob job) {
        String text = job.getSpec().tasksOrDefaults().stallTimeoutOrDefault();
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return parse(TasksSpec.DEFAULT_STALL_TIMEOUT);
        }
    }

    public static Duration parse(String text) {
        String s = text == null ? "" : text.strip();
        if (!WHOLE.matcher(s).matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 30s, 10m, 1h30m)");
        }
        BigDecimal millis = BigDecimal.ZERO;
        Matcher m = PART.matcher(s);
        while (m.find()) {
            long unit = switch (m.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1_000L;
                case "m" -> 60_000L;
                default -> 3_600_000L;
            };
            millis = millis.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
        }
        return Duration.ofMillis(millis.longValue());
    }
}
