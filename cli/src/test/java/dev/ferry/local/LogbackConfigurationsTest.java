package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The images' logging configurations, both in this jar: each configures without a warning in either format.
 * Logback prints its whole status at start-up when configuring warned (an appender nobody refers to was
 * enough), and every worker's and operator's log then began with thirty lines of it.
 */
class LogbackConfigurationsTest {

    @ParameterizedTest
    @CsvSource({"ferry-worker-logback.xml, text", "ferry-worker-logback.xml, json",
            "ferry-operator-logback.xml, text", "ferry-operator-logback.xml, json"})
    void configuresWithoutAWarning(String file, String format) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.putProperty("FERRY_LOG_FORMAT", format);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogbackConfigurationsTest.class.getResource("/" + file));
        try {
            assertThat(new StatusUtil(context).getHighestLevel(0)).as("%s", context.getStatusManager().getCopyOfStatusList())
                    .isLessThan(Status.WARN);
            assertThat(context.getLogger("ROOT").getAppender("console")).as("the format's appender").isNotNull();
        } finally {
            context.stop();
        }
    }
}
