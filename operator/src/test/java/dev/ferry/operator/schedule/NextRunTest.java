package dev.ferry.operator.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.Ferry;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.operator.TestObjects;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NextRunTest {
    private static final Instant FINISHED = Instant.parse("2024-03-01T02:40:00Z");

    @Test
    void theNextRunIsTheFirstScheduledTimeAfterTheRunFinished() {
        MigrationJob job = scheduled("0 * * * *");

        NextRun waiting = NextRun.of(job, finishedAt(FINISHED), Instant.parse("2024-03-01T02:59:59Z"));
        assertThat(waiting.nextRunTime()).contains(Instant.parse("2024-03-01T03:00:00Z"));
        assertThat(waiting.due()).isEmpty();
        assertThat(waiting.problem()).isEmpty();

        NextRun due = NextRun.of(job, finishedAt(FINISHED), Instant.parse("2024-03-01T03:00:00Z"));
        assertThat(due.due()).hasValueSatisfying(why -> assertThat(why).contains("2024-03-01T03:00:00Z"));
    }

    @Test
    void aTimeThatPassedWhileTheRunWasGoingStartsNothing() {
        // Started 01:30, finished 02:40: the hourly 02:00 passed during the run, which was that sync.
        MigrationJobStatus status = finishedAt(FINISHED);
        status.startTime = "2024-03-01T01:30:00Z";

        NextRun next = NextRun.of(scheduled("0 * * * *"), status, Instant.parse("2024-03-01T02:41:00Z"));

        assertThat(next.due()).isEmpty();
        assertThat(next.nextRunTime()).contains(Instant.parse("2024-03-01T03:00:00Z"));
    }

    @Test
    void timesMissedWhileTheOperatorWasDownStartOneRun() {
        MigrationJob job = scheduled("*/10 * * * *");
        // Down for five hours: thirty scheduled times passed. One run is due, for the first of them.
        NextRun next = NextRun.of(job, finishedAt(FINISHED), Instant.parse("2024-03-01T07:45:00Z"));

        assertThat(next.due()).isPresent();
        assertThat(next.nextRunTime()).contains(Instant.parse("2024-03-01T02:50:00Z"));
        // That run finishes at 08:01: the next one is at 08:10, nothing else is owed.
        NextRun after = NextRun.of(job, finishedAt(Instant.parse("2024-03-01T08:01:00Z")), Instant.parse("2024-03-01T08:02:00Z"));
        assertThat(after.due()).isEmpty();
        assertThat(after.nextRunTime()).contains(Instant.parse("2024-03-01T08:10:00Z"));
    }

    @Test
    void readsTheScheduleInItsTimeZone() {
        MigrationJob job = scheduled("0 2 * * *");
        job.getSpec().scheduleTimeZone = "Europe/Berlin";

        NextRun next = NextRun.of(job, finishedAt(FINISHED), FINISHED);

        assertThat(next.nextRunTime()).contains(Instant.parse("2024-03-02T01:00:00Z"));
        assertThat(next.schedule()).contains("'0 2 * * *' (Europe/Berlin)");
    }

    @Test
    void anInvalidScheduleIsAProblemNotARun() {
        MigrationJob job = scheduled("0 25 * * *");

        NextRun next = NextRun.of(job, finishedAt(FINISHED), FINISHED.plusSeconds(86_400));

        assertThat(next.due()).isEmpty();
        assertThat(next.nextRunTime()).isEmpty();
        assertThat(next.problem()).hasValueSatisfying(p -> assertThat(p).contains("spec.schedule '0 25 * * *'"));
    }

    @Test
    void aNewRunNowValueIsDueOnceWithOrWithoutASchedule() {
        MigrationJob job = TestObjects.job("photos");
        MigrationJobStatus status = finishedAt(FINISHED);
        assertThat(NextRun.of(job, status, FINISHED).due()).as("no annotation, no schedule").isEmpty();

        job.getMetadata().setAnnotations(Map.of(Ferry.RUN_NOW_ANNOTATION, "1"));
        assertThat(NextRun.of(job, status, FINISHED).due()).contains("ferry.dev/run-now=1");
        assertThat(NextRun.of(job, status, FINISHED).nextRunTime()).isEmpty();

        status.lastRunNow = "1";
        assertThat(NextRun.of(job, status, FINISHED).due()).as("the run it started recorded it").isEmpty();
    }

    private static MigrationJob scheduled(String expression) {
        MigrationJob job = TestObjects.job("photos");
        job.getSpec().schedule = expression;
        return job;
    }

    private static MigrationJobStatus finishedAt(Instant completion) {
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = JobPhase.Succeeded;
        status.startTime = completion.minusSeconds(600).toString();
        status.completionTime = completion.toString();
        return status;
    }
}
