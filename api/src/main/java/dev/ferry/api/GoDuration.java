package dev.ferry.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in Go's notation as the spec spells them (the schema's {@link Patterns#DURATION}),
 * read by the workers ({@code minFileAge}) and the operator ({@code stallTimeout}): {@code 30s}, {@code 10m},
 * {@code 1h30m}, {@code 1.5h}.
 */
public final class GoDuration {
    private static final Pattern WHOLE = Pattern.compile(Patterns.DURATION);
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

    private GoDuration() {
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
