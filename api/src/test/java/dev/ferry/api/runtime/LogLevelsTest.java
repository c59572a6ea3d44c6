package dev.ferry.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Log levels change while a process runs, and go back when no longer asked for. */
class LogLevelsTest {
    private final LoggerContext context = new LoggerContext();
    private final LogLevels levels = LogLevels.of(context);

    @Test
    void setsTheLevelsItIsGivenByLoggerNameAndRoot() {
        context.getLogger("dev.ferry.worker").setLevel(Level.INFO);

        levels.apply(Map.of("dev.ferry.worker.copy", "debug", "root", "WARN"));

        assertThat(context.getLogger("dev.ferry.worker.copy").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("dev.ferry.worker.copy.FileCopier").getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void restoresALoggerNoLongerNamedToItsConfiguredLevel() {
        context.getLogger("io.fabric8").setLevel(Level.WARN);
        levels.apply(Map.of("io.fabric8", "DEBUG", "dev.ferry", "TRACE"));

        levels.apply(Map.of("dev.ferry", "TRACE"));
        assertThat(context.getLogger("io.fabric8").getLevel()).isEqualTo(Level.WARN);

        levels.apply(Map.of());
        assertThat(context.getLogger("dev.ferry").getLevel()).as("it had no level of its own: inherits again").isNull();
    }

    @Test
    void reportsAValueThatIsNotALevelAndAppliesTheRest() {
        var problems = levels.apply(Map.of("dev.ferry", "LOUD", "io.fabric8", "ERROR"));

        assertThat(problems).singleElement().asString().contains("dev.ferry").contains("LOUD");
        assertThat(context.getLogger("io.fabric8").getLevel()).isEqualTo(Level.ERROR);
        assertThat(context.getLogger("dev.ferry").getLevel()).isNull();
    }
}
