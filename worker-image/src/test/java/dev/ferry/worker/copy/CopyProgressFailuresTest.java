package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.FailureCode;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.worker.manifest.FailureLog;
import dev.ferry.worker.metrics.FileMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Every failed file of a Copy task goes to its {@link FailureLog} before a status write counts it; the
 * status keeps the first {@value MigrationTaskStatus#MAX_FAILURES_IN_STATUS}.
 */
class CopyProgressFailuresTest {
    private final List<FailureLog.Numbered> logged = new ArrayList<>();

    @Test
    void eachFailedFileIsLoggedWithItsOrdinalOnceAndTheStatusKeepsTheFirstFifty() {
        CopyProgress progress = progress(new MigrationTaskStatus(), 60, logged::addAll);
        IntStream.range(0, 53).forEach(i -> progress.record(i, failed(i)));

        MigrationTaskStatus status = new MigrationTaskStatus();
        progress.writeTo(status);
        progress.record(53, FileOutcome.copied("f53", 1));
        progress.record(54, failed(54));
        progress.writeTo(status);

        assertThat(logged).extracting(FailureLog.Numbered::n).containsExactlyElementsOf(
                IntStream.rangeClosed(1, 54).mapToObj(Long::valueOf).toList());
        assertThat(logged.get(53).failure().path).isEqualTo("f54");
        assertThat(status.failures).hasSize(MigrationTaskStatus.MAX_FAILURES_IN_STATUS);
        assertThat(status.progress.failed).isEqualTo(54);
    }

    @Test
    void aLogThatCannotStoreFailsTheStatusWriteAndItsFailuresWaitForTheNextOne() {
        List<Boolean> storeTakesWrites = new ArrayList<>(List.of(false));
        CopyProgress progress = progress(new MigrationTaskStatus(), 3, failures -> {
            if (!storeTakesWrites.get(0)) {
                throw new IllegalStateException("the store is down");
            }
            logged.addAll(failures);
        });
        progress.record(0, failed(0));
        MigrationTaskStatus status = new MigrationTaskStatus();

        assertThatThrownBy(() -> progress.writeTo(status)).hasMessageContaining("the store is down");
        assertThat(status.progress).as("nothing written: the checkpoint would pass an unlogged failure").isNull();

        storeTakesWrites.set(0, true);
        progress.writeTo(status);
        assertThat(logged).extracting(f -> f.failure().path).containsExactly("f0");
        assertThat(status.progress.failed).isEqualTo(1);
    }

    @Test
    void aResumedTaskNumbersItsFailuresAfterTheCountItsCheckpointHolds() {
        MigrationTaskStatus earlier = new MigrationTaskStatus();
        progress(new MigrationTaskStatus(), 10, failures -> { }).writeTo(earlier);
        earlier.progress.checkpoint = "4";
        earlier.progress.failed = 3;
        CopyProgress resumed = progress(earlier, 10, logged::addAll);

        resumed.record(4, failed(4));
        resumed.writeTo(new MigrationTaskStatus());

        assertThat(logged).extracting(FailureLog.Numbered::n).containsExactly(4L);
    }

    private static CopyProgress progress(MigrationTaskStatus status, int files, Consumer<List<FailureLog.Numbered>> log) {
        return new CopyProgress(status, files, () -> 0, TaskMotion.untracked(), FileMetrics.NONE, log);
    }

    private static FileOutcome failed(int i) {
        return FileOutcome.failed("f" + i, FailureCode.SOURCE_VANISHED, "gone");
    }
}
