package dev.ferry.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The worker's log lines: text by default, one JSON object per line with FERRY_LOG_FORMAT=json. */
class LogFormatTest {

    @Test
    void writesTextByDefault() throws Exception {
        String logged = logOneLine(null);

        assertThat(logged).contains("INFO  [").contains("task t-1 started").doesNotStartWith("{");
    }

    @Test
    void writesOneJsonObjectPerEventWhenAskedTo() throws Exception {
        String logged = logOneLine("json");

        JsonNode event = new ObjectMapper().readTree(logged.lines().filter(l -> l.contains("t-1")).findFirst().orElseThrow());
        assertThat(event.path("level").asText()).isEqualTo("INFO");
        assertThat(event.path("loggerName").asText()).isEqualTo("dev.ferry.worker.copy.CopyRunner");
        assertThat(event.path("formattedMessage").asText()).isEqualTo("task t-1 started");
    }

    /** What the worker's logback configuration writes to stderr for one INFO event. */
    private static String logOneLine(String format) throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LoggerContext context = new LoggerContext();
            context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
            if (format != null) {
                context.putProperty("FERRY_LOG_FORMAT", format);
            }
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogFormatTest.class.getResource("/ferry-worker-logback.xml"));
            context.getLogger("dev.ferry.worker.copy.CopyRunner").info("task {} started", "t-1");
            context.stop();
        } finally {
            System.setErr(stderr);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
