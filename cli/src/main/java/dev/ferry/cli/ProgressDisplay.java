package dev.ferry.cli;

import dev.ferry.api.MigrationJobStatus;
import java.io.PrintStream;
import java.time.Duration;

/** How `ferry migrate` shows a running job: a progress bar on a terminal, periodic plain lines otherwise. */
interface ProgressDisplay extends AutoCloseable {

    /** The job's latest status, {@code elapsed} since the command started. */
    void show(MigrationJobStatus status, Duration elapsed);

    /** Ends the display (the bar's last state stays on the screen). */
    @Override
    void close();

    static ProgressDisplay forStream(PrintStream out, boolean terminal) {
        return terminal ? new TerminalProgress(out) : new PlainProgress(out, PlainProgress.INTERVAL);
    }
}
