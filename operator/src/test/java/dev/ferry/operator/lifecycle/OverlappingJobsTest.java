package dev.ferry.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationMode;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.status.Conditions;
import dev.ferry.operator.validation.InvalidSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverlappingJobsTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @Test
    void aJobWaitsForARunningJobThatWritesTheSamePrefix() {
        MigrationJob running = started(job("first", T0, "archive"));
        MigrationJob applied = job("second", T0.plusSeconds(60), "archive/");

        List<OverlappingJobs.Overlap> overlaps = blocking(applied, running);

        assertThat(overlaps).extracting(OverlappingJobs.Overlap::other).containsExactly(running);
        assertThat(OverlappingJobs.message(overlaps))
                .startsWith("waiting for ns/first (writes s3://bucket/archive, running) to finish");
    }

    @Test
    void aPrefixInsideTheOtherOrTheBucketRootOverlapsButASiblingWithTheSameStartDoesNot() {
        MigrationJob running = started(job("first", T0, "data"));

        assertThat(blocking(job("inside", T0.plusSeconds(1), "data/2024"), running)).hasSize(1);
        assertThat(blocking(job("root", T0.plusSeconds(1), ""), running)).hasSize(1);
        assertThat(blocking(job("sibling", T0.plusSeconds(1), "database"), running)).isEmpty();
        assertThat(blocking(job("apart", T0.plusSeconds(1), "logs"), running)).isEmpty();
    }

    @Test
    void anotherBucketOrAnotherStoreIsNoOverlap() {
        MigrationJob running = started(job("first", T0, "data"));
        MigrationJob otherBucket = job("other-bucket", T0.plusSeconds(1), "data");
        otherBucket.getSpec().destination.bucket = "elsewhere";
        MigrationJob minio = job("minio", T0.plusSeconds(1), "data");
        minio.getSpec().destination.endpoints = List.of("http://minio:9000");

        assertThat(blocking(otherBucket, running)).isEmpty();
        assertThat(blocking(minio, running)).isEmpty(); // the other job writes to AWS's own endpoint
    }

    @Test
    void twoGatewayListsWithAGatewayInCommonAreOneStore() {
        MigrationJob running = started(job("first", T0, "data"));
        running.getSpec().destination.endpoints = List.of("http://gw-1:9000", "http://GW-2:9000/");
        MigrationJob applied = job("second", T0.plusSeconds(1), "data");
        applied.getSpec().destination.endpoints = List.of("http://gw-2:9000", "http://gw-3:9000");
        MigrationJob elsewhere = job("third", T0.plusSeconds(1), "data");
        elsewhere.getSpec().destination.endpoints = List.of("http://gw-3:9000");

        assertThat(blocking(applied, running)).hasSize(1);
        assertThat(blocking(elsewhere, running)).isEmpty();
    }

    @Test
    void ofTwoJobsAppliedTogetherOnlyTheLaterWaitsAndAtTheSameSecondTheNameDecides() {
        MigrationJob early = job("zeta", T0, "data");
        MigrationJob late = job("alpha", T0.plusSeconds(1), "data");
        MigrationJob sameSecond = job("beta", T0.plusSeconds(1), "data");

        assertThat(blocking(early, late, sameSecond)).isEmpty();
        assertThat(blocking(late, early, sameSecond)).extracting(o -> o.other().getMetadata().getName())
                .containsExactly("zeta");
        assertThat(blocking(sameSecond, early, late)).extracting(o -> o.other().getMetadata().getName())
                .containsExactly("zeta", "alpha");
    }

    @Test
    void aRunningJobIsNeverHeldByALaterOneAndFinishedOrInvalidJobsHoldNobody() {
        MigrationJob later = started(job("later", T0.plusSeconds(60), "data"));
        MigrationJob earlier = job("earlier", T0, "data");
        MigrationJob finished = started(job("finished", T0, "data"));
        finished.getStatus().phase = JobPhase.Succeeded;
        MigrationJob invalid = job("invalid", T0, "data");
        invalid.setStatus(new MigrationJobStatus());
        Conditions.set(invalid.getStatus().conditions, Conditions.READY, false, InvalidSpec.REASON, "no bucket", T0, 1L);

        // the earlier job, not started, waits for the later one that runs already
        assertThat(blocking(earlier, later)).hasSize(1);
        assertThat(blocking(job("new", T0.plusSeconds(90), "data"), finished, invalid)).isEmpty();
    }

    @Test
    void aSuspendedJobThatStartedStillHoldsItsKeysAndTheMessageSaysSo() {
        MigrationJob suspended = started(job("paused", T0, "data"));
        suspended.getSpec().suspend = true;

        List<OverlappingJobs.Overlap> overlaps = blocking(job("new", T0.plusSeconds(60), "data"), suspended);

        assertThat(OverlappingJobs.message(overlaps)).startsWith("waiting for ns/paused (writes s3://bucket/data, suspended)");
    }

    @Test
    void aJobThatItselfWaitsStillComesFirstForThoseAppliedAfterIt() {
        MigrationJob waiting = job("waiting", T0, "data");
        waiting.setStatus(new MigrationJobStatus());
        Conditions.set(waiting.getStatus().conditions, Conditions.READY, false, OverlappingJobs.REASON, "...", T0, 1L);

        assertThat(blocking(job("after", T0.plusSeconds(5), "data"), waiting)).hasSize(1);
    }

    @Test
    void aMoveWaitsForAnyJobOnTheSameTreeAndAnyJobWaitsForAMoveButTwoCopiesShareASource() {
        MigrationJob copying = started(job("copying", T0, "one"));
        copying.getSpec().source.path = "/exports/projects";
        MigrationJob moving = job("moving", T0.plusSeconds(1), "two");
        moving.getSpec().source.path = "/exports/projects/2019/";
        moving.getSpec().mode = MigrationMode.Move;
        MigrationJob alsoCopying = job("also-copying", T0.plusSeconds(1), "three");
        alsoCopying.getSpec().source.path = "/exports";
        MigrationJob otherClaim = job("other-claim", T0.plusSeconds(1), "four");
        otherClaim.getSpec().source.pvc = "other";
        otherClaim.getSpec().mode = MigrationMode.Move;

        assertThat(blocking(moving, copying)).extracting(OverlappingJobs.Overlap::what)
                .containsExactly("reads data:/exports/projects");
        assertThat(blocking(alsoCopying, copying)).isEmpty();
        assertThat(blocking(alsoCopying, started(moving))).extracting(OverlappingJobs.Overlap::what)
                .containsExactly("moves data:/exports/projects/2019/");
        assertThat(blocking(otherClaim, copying)).isEmpty();
    }

    @Test
    void theMessageNamesAFewAndCountsTheRest() {
        List<MigrationJob> running = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            running.add(started(job("job-" + i, T0.plusSeconds(i), "data")));
        }

        String message = OverlappingJobs.message(blocking(job("new", T0.plusSeconds(60), "data"), running.toArray(MigrationJob[]::new)));

        assertThat(message).contains("ns/job-0", "ns/job-2", "and 2 more").doesNotContain("job-3");
    }

    private static List<OverlappingJobs.Overlap> blocking(MigrationJob job, MigrationJob... others) {
        List<MigrationJob> all = new ArrayList<>(List.of(others));
        all.add(job);
        return OverlappingJobs.blocking(job, job.getSpec().modeOrDefault(), all.stream());
    }

    private static MigrationJob job(String name, Instant created, String prefix) {
        MigrationJob job = TestObjects.job(name);
        job.getMetadata().setUid("uid-" + name);
        job.getMetadata().setCreationTimestamp(created.toString());
        job.getSpec().destination.prefix = prefix;
        return job;
    }

    private static MigrationJob started(MigrationJob job) {
        job.setStatus(new MigrationJobStatus());
        job.getStatus().phase = JobPhase.Running;
        job.getStatus().startTime = T0.toString();
        return job;
    }
}
