package dev.ferry.api;

/** What the audit before a job's end compares the destination with. */
public enum AuditMode {
    /**
     * The plan's manifests: every file the plan put in a task must be in the destination with its size
     * (and, with {@code verify: Checksum}, a recorded MD5 that agrees with the store's).
     */
    Plan,
    /** No audit: the job ends on its tasks' bookkeeping alone; the failure report is still written. */
    None
}
