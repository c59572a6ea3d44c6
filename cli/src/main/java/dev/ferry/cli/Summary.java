package dev.ferry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ferry.api.AuditMode;
import dev.ferry.api.AuditResult;
import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.Plurals;
import dev.ferry.api.Quantities;
import java.io.PrintStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What `ferry migrate` reports at the end, for people or (--json) for scripts: the counters, the failure
 * sample, what the audit checked and where the failure report and the left-out report are ({@code s3://bucket/key}).
 */
record Summary(String job, boolean succeeded, String reason, String destination, String endpoint,
        long filesTotal, long filesCopied, long filesSkipped, long filesFailed, long filesLeftOut, long bytesTotal,
        long bytesCopied, double seconds, List<FileFailure> failures, AuditResult audit, String failureReport,
        String leftOutReport, int tasks) {

    static Summary of(JobOutcome outcome, S3Url target, URI endpoint) {
        MigrationJobStatus s = outcome.status() != null ? outcome.status() : new MigrationJobStatus();
        return new Summary(outcome.jobName(), outcome.succeeded(), outcome.reason(), target.toString(),
                endpoint.toString(), s.files.total, s.files.copied, s.files.skipped, s.files.failed, s.files.leftOut,
                s.bytes.total, s.bytes.copied, outcome.wallTime().toMillis() / 1000.0,
                s.failures == null ? List.of() : s.failures, s.audit,
                s.failureReport == null ? null : "s3://" + target.bucket() + "/" + s.failureReport,
                s.audit == null || s.audit.leftOutReport == null ? null : "s3://" + target.bucket() + "/" + s.audit.leftOutReport,
                s.tasks.total());
    }

    double bytesPerSecond() {
        return seconds > 0 ? bytesCopied / seconds : 0;
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "%s %s: %s (%d copied, %d skipped, %d failed), %s in %.1f s (%s/s) to %s%n",
                succeeded ? "Succeeded" : "FAILED", job, Plurals.files(filesTotal), filesCopied, filesSkipped,
                filesFailed, Quantities.humanBytes(bytesCopied), seconds, Quantities.humanBytes((long) bytesPerSecond()),
                destination);
        failures.stream().limit(20).forEach(f -> out.printf("  failed: %s: %s %s%n", f.path, f.code,
                f.message == null ? "" : f.message));
        if (failures.size() > 20) {
            out.printf("  ... and %d more%n", failures.size() - 20);
        }
        if (filesLeftOut > 0) {
            out.printf(Locale.ROOT, "  left out by policy: %d (symbolic links, special files, a top-level .ferry, files"
                    + " younger than --min-file-age; --symlinks Follow or Store takes links): %s%n", filesLeftOut,
                    leftOutReport == null ? "--dry-run lists them" : "listed in " + leftOutReport);
        }
        if (audit != null && audit.mode == AuditMode.Plan) {
            out.printf(Locale.ROOT, "  audit: %s checked against the destination: %d missing, %d different,"
                    + " %d copied again, %d still wrong%s%n", Plurals.plannedFiles(audit.checked), audit.missing,
                    audit.different, audit.recopied, audit.reported, audit.laterVersionsNote());
        }
        if (failureReport != null) {
            out.printf("  failure report: %s%n", failureReport);
        }
    }

    String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("job", job);
        json.put("succeeded", succeeded);
        if (!succeeded) {
            json.put("reason", reason);
        }
        json.put("destination", destination);
        json.put("endpoint", endpoint);
        json.put("files", Map.of("total", filesTotal, "copied", filesCopied, "skipped", filesSkipped,
                "failed", filesFailed, "leftOut", filesLeftOut));
        json.put("bytes", Map.of("total", bytesTotal, "copied", bytesCopied));
        json.put("seconds", seconds);
        json.put("tasks", tasks);
        json.put("bytesPerSecond", (long) bytesPerSecond());
        json.put("failures", failures);
        if (audit != null) {
            json.put("audit", audit);
        }
        if (failureReport != null) {
            json.put("failureReport", failureReport);
        }
        if (leftOutReport != null) {
            json.put("leftOutReport", leftOutReport);
        }
        try {
            // ASCII only (non-ASCII as \\u escapes): stdout's charset is the locale's, and under the POSIX
            // locale a name in another script, or the U+FFFD mark of a name that is not UTF-8, would print as '?'
            return JsonMapper.builder().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                    .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
