package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.AuditMode;
import dev.ferry.api.AuditResult;
import dev.ferry.api.DestinationSpec;
import dev.ferry.api.FileFailure;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationJobStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What `ferry status` tells a person about a job, from its status. */
class JobReportTest {
    private static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");

    @Test
    void estimatesTheTimeLeftAtTheAverageFileRateOnceThePlanIsCompleteWhenFilesWereSkipped() {
        MigrationJob job = running(true);

        JobReport report = new JobReport(job, new JobReport.Workers("j-worker", 4, 3), NOW);

        // 6,000 of 10,000 files left at 50 files/s
        assertThat(report.eta()).contains(Duration.ofSeconds(120));
        assertThat(print(report)).contains("Phase:      Running (40%)")
                .contains("Files:      4000 of 10000 done: 3900 copied, 50 skipped, 50 failed")
                .contains("ETA:        2m (at the average rates so far)")
                .contains("Workers:    3/4 ready (deployment j-worker)")
                .contains("Tasks:      2 pending, 1 assigned, 3 running, 10 succeeded, 0 failed");
    }

    @Test
    void takesTheByteRatesEstimateWhenItIsLaterAndNoFileWasSkipped() {
        MigrationJob job = running(true);
        job.getStatus().files.copied += job.getStatus().files.skipped;
        job.getStatus().files.skipped = 0;
        // 4,000 of 10,000 files done but only 400 of 1,000,400 bytes: the large files come last; at 10 B/s the
        // bytes take 100,000 s, the files 120 s
        job.getStatus().bytes.total = 1_000_400;

        assertThat(new JobReport(job, JobReport.Workers.NONE, NOW).eta()).contains(Duration.ofSeconds(100_000));

        job.getStatus().bytes.total = 1_000; // 600 bytes left: 60 s, sooner than the files' 120 s
        assertThat(new JobReport(job, JobReport.Workers.NONE, NOW).eta()).contains(Duration.ofSeconds(120));
    }

    @Test
    void givesNoEstimateWhilePlanningBecauseTheTotalStillGrows() {
        JobReport report = new JobReport(running(false), JobReport.Workers.NONE, NOW);

        assertThat(report.eta()).isEmpty();
        assertThat(print(report)).contains("of 10000 found so far (still planning)").contains("ETA:        unknown while planning")
                .contains("Workers:    none");
    }

    @Test
    void namesTheLeftOutReportOfAJobWhosePlansLeftEntriesOut() {
        MigrationJob job = running(true);
        job.getStatus().phase = JobPhase.Succeeded;
        job.getStatus().files.leftOut = 120;
        job.getStatus().audit = new AuditResult();
        job.getStatus().audit.leftOutReport = "p/.ferry/uid-1/left-out.jsonl";
        job.getStatus().audit.leftOutLines = 120L;

        String printed = print(new JobReport(job, JobReport.Workers.NONE, NOW));

        assertThat(printed).contains("Left out:   120 entries by policy, listed in s3://bkt/p/.ferry/uid-1/left-out.jsonl")
                .doesNotContain("Report:");
    }

    @Test
    void saysHowManyFilesChangedAfterPlanning() {
        MigrationJob job = running(true);
        job.getStatus().phase = JobPhase.Succeeded;
        job.getStatus().audit = new AuditResult();
        job.getStatus().audit.mode = AuditMode.Plan;
        job.getStatus().audit.checked = 10000;
        job.getStatus().audit.laterVersions = 3L;

        String printed = print(new JobReport(job, JobReport.Workers.NONE, NOW));

        assertThat(printed).contains("Audit:      Plan: 10000 checked, 0 missing, 0 different, 0 copied again, 0 still"
                + " wrong; 3 changed after planning (their objects hold the later version)");
    }

    @Test
    void countsTheListedFailuresByCodeAndNamesTheFailureReport() {
        MigrationJob job = running(true);
        job.getStatus().phase = JobPhase.Failed;
        job.getStatus().failures = List.of(new FileFailure("a", "SOURCE_VANISHED", null),
                new FileFailure("b", "ACCESS_DENIED", "EACCES"), new FileFailure("c", "SOURCE_VANISHED", null));
        job.getStatus().failureReport = "p/.ferry/uid-1/failure-report.jsonl";

        String printed = print(new JobReport(job, JobReport.Workers.NONE, NOW));

        assertThat(printed).contains("Failures:   50 files; by code in the 3 listed: ACCESS_DENIED 1, SOURCE_VANISHED 2")
                .contains("b: ACCESS_DENIED (EACCES)")
                .contains("Report:     s3://bkt/p/.ferry/uid-1/failure-report.jsonl")
                .doesNotContain("ETA:");
    }

    @Test
    void showsTheConditionsBesideReadyThatSaySomethingSuchAsEventsWaitingForKafka() {
        MigrationJob job = running(true);
        job.getStatus().conditions.add(condition("Progressing", "True", "Running", "copying"));
        job.getStatus().conditions.add(condition("Degraded", "False", "AsExpected", ""));
        job.getStatus().conditions.add(condition("NotificationsPending", "True", "EventsNotAcknowledged",
                "15 outcomes wait for Kafka to acknowledge their events"));
        job.getStatus().conditions.add(condition("QuotaExceeded", "True", "QuotaExceeded", "the store is full"));

        List<String> lines = print(new JobReport(job, JobReport.Workers.NONE, NOW)).lines().toList();

        assertThat(lines).containsSubsequence("Ready:      False Running: copying",
                "Conditions: NotificationsPending=True EventsNotAcknowledged: 15 outcomes wait for Kafka to acknowledge"
                        + " their events",
                "            QuotaExceeded=True QuotaExceeded: the store is full");
        assertThat(lines).noneMatch(l -> l.contains("Degraded") || l.contains("Progressing"));
    }

    private static Condition condition(String type, String status, String reason,
            String message) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message).build();
    }

    @Test
    void printsOneRowPerJobInTheTable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        JobReport.printTableHeader(out, false);
        new JobReport(running(true), JobReport.Workers.NONE, NOW).printRow(out, false);

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0).split("\\s+")).containsExactly("NAME", "PHASE", "PROGRESS", "FILES", "BYTES", "RATE",
                "ETA", "AGE");
        assertThat(lines.get(1).split("\\s+")).containsExactly("j", "Running", "40%", "4000/10000", "400B/1000B",
                "10B/s", "2m", "1h");
    }

    @Test
    void readsDurationsAtAGlance() {
        assertThat(JobReport.shortDuration(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(JobReport.shortDuration(Duration.ofMinutes(59))).isEqualTo("59m");
        assertThat(JobReport.shortDuration(Duration.ofMinutes(185))).isEqualTo("3h5m");
        assertThat(JobReport.shortDuration(Duration.ofHours(52))).isEqualTo("2d4h");
    }

    private static MigrationJob running(boolean planned) {
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName("j").withNamespace("default")
                .withCreationTimestamp("2026-01-01T00:00:00Z").build());
        job.setSpec(new MigrationJobSpec());
        job.getSpec().destination = new DestinationSpec();
        job.getSpec().destination.bucket = "bkt";
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = JobPhase.Running;
        status.progress = "40%";
        status.planned = planned;
        status.files.total = 10_000;
        status.files.copied = 3_900;
        status.files.skipped = 50;
        status.files.failed = 50;
        status.bytes.total = 1_000;
        status.bytes.copied = 400;
        status.tasks.pending = 2;
        status.tasks.assigned = 1;
        status.tasks.running = 3;
        status.tasks.succeeded = 10;
        status.throughput = new MigrationJobStatus.Throughput();
        status.throughput.bytesPerSecond = 10;
        status.throughput.filesPerSecond = 50;
        status.conditions.add(new ConditionBuilder().withType("Ready").withStatus("False").withReason("Running")
                .withMessage("copying").build());
        job.setStatus(status);
        return job;
    }

    private static String print(JobReport report) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
