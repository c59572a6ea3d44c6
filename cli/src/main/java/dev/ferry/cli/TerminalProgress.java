package dev.ferry.cli;

import dev.ferry.api.MigrationJobStatus;
import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar (me.tongfei:progressbar) of bytes copied against bytes planned, with the phase, the
 * files and their rate beside it. The estimate of the time left is `ferry status`'s ({@link JobReport#timeLeft}),
 * and none while planning: the totals still grow then. The bar's unit
 * (KiB, MiB, GiB) suits the tree's size; it is chosen again, on a new bar, when planning ends.
 */
final class TerminalProgress implements ProgressDisplay {
    private final Supplier<ConsoleProgressBarConsumer> consumers;
    private ProgressBar bar;
    private Unit unit;
    private volatile Duration eta;

    TerminalProgress(PrintStream out) {
        this(() -> new ConsoleProgressBarConsumer(out)); // as wide as the terminal
    }

    /** {@code width}: characters per line, where the terminal's own width is not known. */
    TerminalProgress(PrintStream out, int width) {
        this(() -> new ConsoleProgressBarConsumer(out, width));
    }

    private TerminalProgress(Supplier<ConsoleProgressBarConsumer> consumers) {
        this.consumers = consumers;
    }

    /** A bar's unit: the largest that still shows the total as at least 1. */
    enum Unit {
        KiB(1L << 10), MiB(1L << 20), GiB(1L << 30);

        final long bytes;

        Unit(long bytes) {
            this.bytes = bytes;
        }

        static Unit of(long totalBytes) {
            return totalBytes >= GiB.bytes ? GiB : totalBytes >= MiB.bytes ? MiB : KiB;
        }
    }

    @Override
    public void show(MigrationJobStatus s, Duration elapsed) {
        boolean planned = Boolean.TRUE.equals(s.planned);
        Unit fitting = Unit.of(s.bytes.total);
        if (bar == null || (planned && fitting != unit)) {
            close();
            unit = fitting;
            bar = newBar(unit);
        }
        // An empty tree, or one of empty files, has no bytes: the bar then counts files.
        boolean byFiles = s.bytes.total == 0;
        bar.maxHint(byFiles ? s.files.total * unit.bytes : s.bytes.total);
        bar.stepTo(byFiles ? s.files.done() * unit.bytes : s.bytes.copied);
        double filesPerSecond = s.throughput == null ? 0 : s.throughput.filesPerSecond;
        eta = JobReport.timeLeft(s).orElse(null);
        bar.setExtraMessage(String.format(Locale.ROOT, "%s | %d/%d%s files | %.1f files/s", s.phase,
                s.files.done(), s.files.total, planned ? "" : "+", filesPerSecond));
    }

    private ProgressBar newBar(Unit unit) {
        return new ProgressBarBuilder()
                .setTaskName("ferry")
                .setInitialMax(0)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUnit(" " + unit.name(), unit.bytes)
                .showSpeed(new DecimalFormat("0.0"))
                .setUpdateIntervalMillis(250)
                .setConsumer(consumers.get())
                .setEtaFunction(state -> Optional.ofNullable(eta))
                .build();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
