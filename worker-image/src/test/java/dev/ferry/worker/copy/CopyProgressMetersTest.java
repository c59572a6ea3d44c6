package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FailureCode;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.worker.metrics.FileMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The worker's file meters move exactly where a Copy task's counters do: at its checkpoint. */
class CopyProgressMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CopyProgress progress = new CopyProgress(new MigrationTaskStatus(), 4, () -> 0,
            TaskMotion.untracked(), new FileMetrics(registry, "ns/books"), failures -> { });

    @Test
    void countsCopiedSkippedAndFailedFilesWithTheirBytesAndCodes() {
        progress.record(0, FileOutcome.copied("a.txt", 100));
        progress.record(1, FileOutcome.skipped("b.txt", "identical"));
        progress.record(2, FileOutcome.failed("c.txt", FailureCode.KEY_TOO_LONG, "key of 1,100 bytes"));
        progress.record(3, FileOutcome.copied("d.bin", 5_000, 2, 1));

        assertThat(counter("ferry.files.copied")).isEqualTo(2);
        assertThat(counter("ferry.bytes.copied")).isEqualTo(5_100);
        assertThat(counter("ferry.files.skipped")).isEqualTo(1);
        assertThat(registry.get("ferry.files.failed").tag("code", "KEY_TOO_LONG").counter().count()).isEqualTo(1);
        assertThat(registry.get("ferry.files.failed").tag("code", "SOURCE_VANISHED").counter().count()).isZero();
        assertThat(progress.summary()).isEqualTo("2 copied, 1 skipped, 1 failed of 4 files");
    }

    @Test
    void aFileDoneBeyondTheCheckpointIsNotCountedUntilTheFilesBeforeItAre() {
        progress.record(1, FileOutcome.copied("b.txt", 10));

        assertThat(counter("ferry.files.copied")).as("a released task would do it again").isZero();
        assertThat(counter("ferry.bytes.copied")).isZero();

        progress.record(0, FileOutcome.copied("a.txt", 5));

        assertThat(counter("ferry.files.copied")).isEqualTo(2);
        assertThat(counter("ferry.bytes.copied")).isEqualTo(15);
    }

    private double counter(String name) {
        return registry.get(name).tag("ferry_job", "ns/books").counter().count();
    }
}
