package dev.ferry.api;

/** The kinds of work a task carries. */
public enum TaskType {
    /** Walk a directory and create Copy (and child Plan) tasks. */
    Plan,
    /** Upload a list of files. */
    Copy,
    /** Upload a range of parts of one huge file; the last holder completes the upload. */
    Parts,
    /**
     * Once every other task has finished: compare the destination with the plan's manifests, copy once
     * more what is missing or different, and write the failure report.
     */
    Audit
}
