package dev.ferry.api;

/** What a job does with the files it finds. */
public enum MigrationMode {
    /** Copy every file in scope (skipping identical objects per the overwrite policy). */
    Copy,
    /** Copy only new or changed files: the re-run of a finished job. */
    Sync,
    /** Copy, verify, then delete the source file; never deletes on any doubt. */
    Move
}
