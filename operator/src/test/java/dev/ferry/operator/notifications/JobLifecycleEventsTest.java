package dev.ferry.operator.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.events.EventIds;
import dev.ferry.api.events.EventType;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.api.events.JobEventData;
import dev.ferry.operator.TestObjects;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A job event says which run of its job it is about, in its data as in its id. */
class JobLifecycleEventsTest {
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    @Test
    void theFirstRunsEventsCarryRunOne() {
        MigrationJob job = TestObjects.job("nightly");
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = JobPhase.Planning;

        FerryEvent started = JobLifecycleEvents.started(job, status, NOW);

        assertThat(((JobEventData) started.data()).run()).isEqualTo(1L);
        assertThat(((JobEventData) started.data()).mode()).isEqualTo("Copy");
        assertThat(started.id()).isEqualTo(EventIds.job("job-uid", EventType.JOB_STARTED, null));
    }

    @Test
    void aLaterRunsEventsCarryItsNumberAndItsMode() {
        MigrationJob job = TestObjects.job("nightly");
        MigrationJobStatus ending = new MigrationJobStatus();
        ending.run = 3L;
        ending.phase = JobPhase.Succeeded;

        FerryEvent finished = JobLifecycleEvents.finished(job, ending, "done", NOW);

        JobEventData data = (JobEventData) finished.data();
        assertThat(data.run()).isEqualTo(3L);
        assertThat(data.mode()).as("a later run of a Copy job syncs").isEqualTo("Sync");
        assertThat(finished.id()).isEqualTo(EventIds.job("job-uid", EventType.JOB_FINISHED, "Succeeded", 3));
    }
}
