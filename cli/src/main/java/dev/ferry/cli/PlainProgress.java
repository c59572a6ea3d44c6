package dev.ferry.cli;

import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.Quantities;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** A progress line every few seconds and at the end, so that logs and CI output stay readable. */
final class PlainProgress implements ProgressDisplay {
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private final PrintStream out;
    private final Duration interval;
    private Duration lastPrinted;

    PlainProgress(PrintStream out, Duration interval) {
        this.out = out;
        this.interval = interval;
    }

    @Override
    public void show(MigrationJobStatus status, Duration elapsed) {
        boolean finished = status.phase != null && status.phase.isFinished();
        if (lastPrinted == null || elapsed.minus(lastPrinted).compareTo(interval) >= 0 || finished) {
            out.println(line(status, elapsed));
            lastPrinted = elapsed;
        }
    }

    @Override
    public void close() {
        out.flush();
    }

    static String line(MigrationJobStatus s, Duration elapsed) {
        double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
        return String.format(Locale.ROOT, "%-9s %5s  files %d/%d%s  %s/%s  %s/s  %ds",
                s.phase, s.progress == null ? "" : s.progress,
                s.files.done(), s.files.total, Boolean.TRUE.equals(s.planned) ? "" : "+",
                Quantities.humanBytes(s.bytes.copied), Quantities.humanBytes(s.bytes.total),
                Quantities.humanBytes((long) (s.bytes.copied / seconds)), elapsed.toSeconds());
    }
}
