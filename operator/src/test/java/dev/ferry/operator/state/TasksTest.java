package dev.ferry.operator.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.liveness.WorkerClocks;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Times in task statuses are read as the RFC 3339 formatter reads them, only faster for the usual forms, and those
 * a worker wrote are put on the operator's clock.
 */
class TasksTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-03T13:25:47Z", "2026-12-03T13:25:47.824Z", "2026-12-03T13:25:47.123456789Z",
            "2026-12-03T13:25:47.1Z", "2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z",
            "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2026-12-03t13:25:47z"})
    void readsTheUtcFormsTheApiServerAndInstantWriteAsTheFormatterDoes(String time) {
        assertThat(Tasks.utc(time)).as("read without the formatter").isNotNull();
        assertThat(Tasks.parse(time)).contains(OffsetDateTime.parse(time).toInstant());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-03T14:25:47+01:00", "2026-12-03T13:25:47.5-00:00", "2026-12-03T13:25:47.1234567891Z"})
    void leavesOtherFormsToTheFormatter(String time) {
        assertThat(Tasks.utc(time)).isNull();
        assertThat(Tasks.parse(time)).isEqualTo(formatter(time));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-03T24:00:00Z",
            "2026-12-03T13:60:00Z", "2026-12-03T13:25:60Z", "2026-12-03T13:25:47.Z", "2026-12-03 13:25:47Z",
            "2026-12-03T13:25:47", "+2026-12-03T13:25:47Z", "2026-1２-03T13:25:47Z", "yesterday", ""})
    void readsNothingTheFormatterWouldNotRead(String time) {
        assertThat(Tasks.utc(time)).isNull();
        assertThat(Tasks.parse(time)).isEqualTo(formatter(time));
    }

    @Test
    void readsBackEveryInstantAsWritten() {
        Random random = new Random(11);
        for (int i = 0; i < 10_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_135_596_800L, 253_402_300_799L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            assertThat(Tasks.utc(instant.toString())).as(instant.toString()).isEqualTo(instant);
        }
    }

    @Test
    void anAbsentTimeIsEmpty() {
        assertThat(Tasks.parse(null)).isEmpty();
    }

    @Test
    void aBackoffTheHolderWroteIsOnItsClockAndATakebacksOnTheOperators() {
        WorkerClocks clocks = (podUid, time) -> "behind-uid".equals(podUid) ? time.plus(Duration.ofMinutes(2)) : time;
        Instant workersNow = Instant.parse("2026-12-03T13:00:00Z");
        MigrationTask handedBack = TestObjects.task("j-plan-00001", TaskType.Copy, TaskPhase.Pending);
        handedBack.getStatus().notBefore = workersNow.plusSeconds(20).toString();
        handedBack.getStatus().assignment = new MigrationTaskStatus.Assignment();
        handedBack.getStatus().assignment.podUid = "behind-uid";
        assertThat(Tasks.notBefore(handedBack, clocks)).contains(workersNow.plus(Duration.ofMinutes(2)).plusSeconds(20));

        MigrationTask takenBack = TestObjects.task("j-plan-00002", TaskType.Copy, TaskPhase.Pending);
        takenBack.getStatus().notBefore = workersNow.toString();
        takenBack.getStatus().assignment = new MigrationTaskStatus.Assignment(); // fenced: no holder UID
        assertThat(Tasks.notBefore(takenBack, clocks)).contains(workersNow);
        takenBack.getStatus().notBefore = "soon";
        assertThat(Tasks.notBefore(takenBack, clocks)).as("unreadable: no backoff").isEmpty();
    }

    private static Optional<Instant> formatter(String time) {
        try {
            return Optional.of(OffsetDateTime.parse(time).toInstant());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
