package dev.ferry.api;

/** What the audit before a job's end compares the destination with. */
public enum AuditMode {
    /**
     * The plan's manifests: every file the plan put in a task must be in the destination with its size
     * (and, with {@code verify: Checksum}, an ETag that is the MD5 of its bytes, or for an object uploaded
     * in parts a recorded {@code md5chksum}).
     */
    Plan,
    /**
     * The source as it is now, walked again with the job's filters: every file in scope must be in the
     * destination with its size (and, with {@code verify: Checksum}, an MD5 equal to the MD5 of the file read
     * again) — the strongest check, and the slowest: it reads the tree (and every byte) again.
     */
    Source,
    /** No audit: the job ends on its tasks' bookkeeping alone; the failure report is still written. */
    None
}
