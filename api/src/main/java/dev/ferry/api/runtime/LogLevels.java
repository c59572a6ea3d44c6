package dev.ferry.api.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Log levels by logger name, changed while the process runs: each {@link #apply} sets the levels it is
 * given and puts back, on loggers an earlier call set but this one does not name, the level they had
 * before (from the logback configuration). {@code root} names the root logger. A value that is not a
 * level is reported and left out, never a reason to stop.
 */
public final class LogLevels {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(LogLevels.class);
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private final LoggerContext context;
    /** Loggers set by this class, with the level each had before (null: inherited). */
    private final Map<String, Level> original = new HashMap<>();

    private LogLevels(LoggerContext context) {
        this.context = context;
    }

    /** Null when the process does not log through logback (then levels cannot change at run time). */
    public static LogLevels ofThisProcess() {
        try {
            return LoggerFactory.getILoggerFactory() instanceof LoggerContext context ? new LogLevels(context) : null;
        } catch (NoClassDefFoundError e) {
            return null;
        }
    }

    public static LogLevels of(LoggerContext context) {
        return new LogLevels(context);
    }

    /**
     * Sets these levels ({@code logger name -> level}) and restores every other logger set before.
     * Returns the problems: entries whose value is not a level.
     */
    public synchronized List<String> apply(Map<String, String> levels) {
        List<String> problems = new ArrayList<>();
        Map<String, Level> wanted = new HashMap<>();
        levels.forEach((name, value) -> {
            String level = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
            if (LEVELS.contains(level)) {
                wanted.put(name.strip(), Level.toLevel(level));
            } else {
                problems.add(name + ": '" + value + "' is not one of " + LEVELS);
            }
        });
        for (String name : List.copyOf(original.keySet())) {
            if (!wanted.containsKey(name)) {
                logger(name).setLevel(original.remove(name));
            }
        }
        wanted.forEach((name, level) -> {
            Logger logger = logger(name);
            if (!original.containsKey(name)) { // putIfAbsent would take a remembered null (inherited) for absent
                original.put(name, logger.getLevel());
            }
            if (!level.equals(logger.getLevel())) {
                logger.setLevel(level);
                LOG.info("log level of {} is now {}", name, level);
            }
        });
        problems.forEach(p -> LOG.warn("log levels: {}", p));
        return problems;
    }

    private Logger logger(String name) {
        return context.getLogger(name.equalsIgnoreCase("root") ? org.slf4j.Logger.ROOT_LOGGER_NAME : name);
    }
}
