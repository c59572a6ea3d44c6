package dev.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --verbose}: the in-process operator's and libraries' INFO lines on stderr. By default the CLI
 * shows warnings only (logback.xml), since its own output is the progress display and the summary.
 */
final class Verbosity {
    private Verbosity() {
    }

    static void showInfoLogs() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.INFO);
            ((Logger) LoggerFactory.getLogger("io.javaoperatorsdk")).setLevel(Level.INFO);
        }
    }
}
