package dev.ferry.operator.lifecycle;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.operator.TestObjects;
import java.time.Instant;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FinishedJobTtlTest {
    private static final Instant COMPLETED = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void expiresTtlSecondsAfterCompletion() {
        MigrationJob job = jobWithTtl(60);
        MigrationJobStatus status = finished(JobPhase.Succeeded);

        assertThat(FinishedJobTtl.expiry(job, status)).contains(COMPLETED.plusSeconds(60));
        assertThat(FinishedJobTtl.isExpired(job, status, COMPLETED.plusSeconds(60))).isFalse();
        assertThat(FinishedJobTtl.isExpired(job, status, COMPLETED.plusSeconds(61))).isTrue();
    }

    @Test
    void appliesToFailedJobsToo() {
        assertThat(FinishedJobTtl.isExpired(jobWithTtl(0), finished(JobPhase.Failed), COMPLETED.plusMillis(1))).isTrue();
    }

    @Test
    void neverExpiresARunningJobOrOneWithoutTtlOrCompletionTime() {
        MigrationJobStatus running = finished(JobPhase.Running);
        assertThat(FinishedJobTtl.expiry(jobWithTtl(0), running)).isEmpty();

        assertThat(FinishedJobTtl.expiry(TestObjects.job("no-ttl"), finished(JobPhase.Succeeded))).isEmpty();

        MigrationJobStatus noCompletion = finished(JobPhase.Succeeded);
        noCompletion.completionTime = null;
        assertThat(FinishedJobTtl.expiry(jobWithTtl(0), noCompletion)).isEmpty();

        MigrationJobStatus garbled = finished(JobPhase.Succeeded);
        garbled.completionTime = "yesterday";
        assertThat(FinishedJobTtl.expiry(jobWithTtl(0), garbled)).isEmpty();
    }

    private static MigrationJob jobWithTtl(int seconds) {
        MigrationJob job = TestObjects.job("done");
        job.getSpec().ttlSecondsAfterFinished = seconds;
        return job;
    }

    private static MigrationJobStatus finished(JobPhase phase) {
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = phase;
        status.completionTime = COMPLETED.toString();
        return status;
    }
}
