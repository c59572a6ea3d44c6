package dev.ferry.api;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;

/** Parses the byte quantities of the spec ("64Mi", "1G", "1048576") the way Kubernetes spells them. */
public final class Quantities {
    private static final java.util.regex.Pattern QUANTITY = java.util.regex.Pattern.compile(Patterns.QUANTITY);

    private Quantities() {
    }

    public static long parseBytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity == null ? "" : quantity.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a byte quantity: '" + quantity + "' (examples: 16Mi, 1G, 1048576)");
        }
        String suffix = m.group(2) == null ? "" : m.group(2);
        String number = quantity.strip().substring(0, quantity.strip().length() - suffix.length());
        long multiplier = switch (suffix) {
            case "" -> 1L;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "Pi" -> 1L << 50;
            case "k", "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "T" -> 1_000_000_000_000L;
            case "P" -> 1_000_000_000_000_000L;
            default -> throw new IllegalArgumentException("unknown suffix " + suffix);
        };
        return new BigDecimal(number).multiply(BigDecimal.valueOf(multiplier)).longValueExact();
    }

    /** A short human form for logs and summaries: 1.5 GiB, 12.0 MiB, 512 B. */
    public static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
