package dev.ferry.worker.manifest;

import dev.ferry.api.MigrationJob;
import dev.ferry.worker.s3.ObjectKeys;

/**
 * Where a job keeps its own objects in the destination bucket: {@code <prefix>/.ferry/<job-uid>/}
 * (task manifests under {@code manifests/}, the audit's findings under {@code audit/}, the failed files
 * tasks could not keep in their status under {@code failures/}, the entries planning left out under {@code left-out/},
 * the failure report and the left-out report). The uid, not the name, keeps a re-created job of the same
 * name apart from the old one. Planning never walks a top-level {@code .ferry} entry of the source
 * (it is reported as {@code RESERVED_PATH}), so no file's key can fall under this prefix.
 */
public final class StatePrefix {
    /** The reserved first segment below the job's prefix. */
    public static final String DIRECTORY = ".ferry";

    private StatePrefix() {
    }

    /** {@code <prefix>/.ferry/<job-uid>}, without a trailing slash. */
    public static String of(MigrationJob job) {
        String uid = job.getMetadata().getUid();
        if (uid == null || uid.isBlank()) {
            throw new IllegalStateException("job " + job.getMetadata().getName() + " has no uid: it was not read from the API");
        }
        return of(job.getSpec().destination.normalizedPrefix(), uid);
    }

    /** {@code <prefix>/.ferry/<job-uid>} of a job's normalized prefix and UID. */
    public static String of(String normalizedPrefix, String jobUid) {
        return ObjectKeys.keyOf(normalizedPrefix, DIRECTORY + "/" + jobUid);
    }

    /** The folder of what the audit found, per manifest, until the failure report gathers it; with a trailing slash. */
    public static String auditFindings(MigrationJob job) {
        return of(job) + "/audit/";
    }

    /**
     * The job's failure report: every file it did not migrate, as JSON lines; from the job's second run on
     * one per run ({@code failure-report-run-N.jsonl}), so that {@code status.runs} names each run's own.
     */
    public static String failureReport(MigrationJob job) {
        long run = job.getStatus() == null ? 1 : job.getStatus().runOrFirst();
        return of(job) + (run <= 1 ? "/failure-report.jsonl" : "/failure-report-run-" + run + ".jsonl");
    }

    /** The folder of the failed files tasks could not keep in their status ({@link FailureLog}), with a trailing slash. */
    public static String failures(MigrationJob job) {
        return of(job) + "/failures/";
    }

    /**
     * The job's left-out report: every entry its plans left out by policy (links not followed, special files, ...),
     * as JSON lines; named per run like {@link #failureReport}.
     */
    public static String leftOutReport(MigrationJob job) {
        long run = job.getStatus() == null ? 1 : job.getStatus().runOrFirst();
        return of(job) + (run <= 1 ? "/left-out.jsonl" : "/left-out-run-" + run + ".jsonl");
    }

    /** The folder of the entries plans left out beyond what their status keeps ({@link FailureLog}), with a trailing slash. */
    public static String leftOut(MigrationJob job) {
        return of(job) + "/left-out/";
    }

    /** The folder of the job's task manifests, with a trailing slash. */
    public static String manifests(MigrationJob job) {
        return of(job) + "/manifests/";
    }
}
