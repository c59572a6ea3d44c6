package dev.ferry.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MarkMigrated;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** What a worker takes from its job for the run it works on. */
class JobSettingsTest {

    @Test
    void theFirstRunUsesTheSpecsModeAndLaterRunsSyncUnlessTheJobMoves() {
        MigrationJob copy = job(MigrationMode.Copy, OverwritePolicy.Always, null);
        MigrationJob copyRun2 = job(MigrationMode.Copy, OverwritePolicy.Always, 2L);
        MigrationJob moveRun3 = job(MigrationMode.Move, null, 3L);

        assertThat(JobSettings.of(copy).mode()).isEqualTo(MigrationMode.Copy);
        assertThat(JobSettings.of(copy).overwrite()).isEqualTo(OverwritePolicy.Always);
        assertThat(JobSettings.of(copyRun2).mode()).isEqualTo(MigrationMode.Sync);
        assertThat(JobSettings.of(copyRun2).overwrite()).as("Sync copies only what is new or changed")
                .isEqualTo(OverwritePolicy.IfDifferent);
        assertThat(JobSettings.of(moveRun3).mode()).isEqualTo(MigrationMode.Move);
    }

    @Test
    void takesTheMarkOfMigratedFilesFromTheSource() {
        MigrationJob job = job(MigrationMode.Copy, null, null);
        job.getSpec().source.markMigrated = MarkMigrated.Xattr;

        assertThat(JobSettings.of(job).markMigrated()).isEqualTo(MarkMigrated.Xattr);
        assertThat(JobSettings.of(job(MigrationMode.Copy, null, null)).markMigrated()).isEqualTo(MarkMigrated.None);
    }

    @Test
    void marksTheObjectsOfTheFirstRunWithTheJobsUidAndThoseOfLaterRunsWithTheRunToo() {
        assertThat(JobSettings.of(job(MigrationMode.Copy, null, null)).objectWriter()).isEqualTo("uid-1");
        assertThat(JobSettings.of(job(MigrationMode.Copy, null, 1L)).objectWriter()).isEqualTo("uid-1");
        assertThat(JobSettings.of(job(MigrationMode.Copy, null, 2L)).objectWriter()).isEqualTo("uid-1/run-2");
        assertThat(JobSettings.of(job(MigrationMode.Move, null, 3L)).objectWriter()).isEqualTo("uid-1/run-3");
    }

    @Test
    void writesEachRunsFailureReportUnderItsOwnKey() {
        assertThat(StatePrefix.failureReport(job(MigrationMode.Copy, null, null))).endsWith("/uid-1/failure-report.jsonl");
        assertThat(StatePrefix.failureReport(job(MigrationMode.Copy, null, 1L))).endsWith("/uid-1/failure-report.jsonl");
        assertThat(StatePrefix.failureReport(job(MigrationMode.Copy, null, 4L)))
                .endsWith("/uid-1/failure-report-run-4.jsonl");
    }

    private static MigrationJob job(MigrationMode mode, OverwritePolicy overwrite, Long run) {
        MigrationJob job = TestResources.job("j", URI.create("http://127.0.0.1:9000"), "bkt", "p");
        job.setMetadata(new ObjectMetaBuilder(job.getMetadata()).withUid("uid-1").build());
        job.getSpec().mode = mode;
        job.getSpec().overwrite = overwrite;
        if (run != null) {
            job.setStatus(new MigrationJobStatus());
            job.getStatus().run = run;
        }
        return job;
    }
}
