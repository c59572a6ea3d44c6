package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJobStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What `ferry migrate` shows while a job runs. */
class ProgressDisplayTest {

    @Test
    void aPlainDisplayPrintsALineEveryIntervalAndTheLastState() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PlainProgress display = new PlainProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                Duration.ofSeconds(5))) {
            display.show(status(JobPhase.Planning, 0, false), Duration.ofSeconds(0));
            display.show(status(JobPhase.Running, 10, false), Duration.ofSeconds(2)); // within the interval: not shown
            display.show(status(JobPhase.Running, 40, true), Duration.ofSeconds(6));
            display.show(status(JobPhase.Succeeded, 100, true), Duration.ofSeconds(7)); // the end is always shown
        }

        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).hasSize(3)
                .satisfies(lines -> assertThat(lines.get(0)).startsWith("Planning").contains("files 0/100+"))
                .satisfies(lines -> assertThat(lines.get(1)).startsWith("Running").contains("files 40/100 "))
                .satisfies(lines -> assertThat(lines.get(2)).startsWith("Succeeded").contains("100%"));
    }

    @Test
    void aTerminalDisplayDrawsABarWithPhaseFilesAndRate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TerminalProgress display = new TerminalProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 160)) {
            display.show(status(JobPhase.Running, 40, true), Duration.ofSeconds(6));
        }

        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertThat(drawn).contains("40%").contains("Running | 40/100 files | 5.0 files/s").contains("40/100 MiB")
                .as("the time left: 60 files at 5 files/s").contains("0:00:12");
    }

    @Test
    void aTerminalDisplayCountsFilesWhenTheTreeHasNoBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TerminalProgress display = new TerminalProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 160)) {
            MigrationJobStatus empty = status(JobPhase.Running, 25, true);
            empty.bytes.total = 0;
            empty.bytes.copied = 0;
            display.show(empty, Duration.ofSeconds(3));
        }

        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("25%");
    }

    @Test
    void aTerminalDisplayPicksAUnitThatSuitsTheTree() {
        assertThat(TerminalProgress.Unit.of(36)).isEqualTo(TerminalProgress.Unit.KiB);
        assertThat(TerminalProgress.Unit.of(200L << 20)).isEqualTo(TerminalProgress.Unit.MiB);
        assertThat(TerminalProgress.Unit.of(3L << 40)).isEqualTo(TerminalProgress.Unit.GiB);
    }

    private static MigrationJobStatus status(JobPhase phase, long filesDone, boolean planned) {
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = phase;
        status.planned = planned;
        status.progress = filesDone + "%";
        status.files.total = 100;
        status.files.copied = filesDone;
        status.bytes.total = 100L << 20;
        status.bytes.copied = filesDone << 20;
        status.throughput = new MigrationJobStatus.Throughput();
        status.throughput.filesPerSecond = 5;
        return status;
    }
}
