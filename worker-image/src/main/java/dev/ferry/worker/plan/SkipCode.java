package dev.ferry.worker.plan;

/**
 * Why planning left an entry of the source out. These are not failures: only regular files (and, by
 * policy, links and empty directories) are in a job's scope (docs/errors.md, "Left out by planning").
 * Each one is recorded in the plan's {@code status.skippedEntries} (bounded) and counted in its
 * {@code progress.skipped}; the job's file counts do not include them, so they never make a job fail.
 */
public enum SkipCode {
    /** A symbolic link, and {@code spec.source.symlinks} is Skip (the default). */
    SYMLINK_SKIPPED,
    /** A followed link whose target lies outside the job's source path. */
    SYMLINK_OUTSIDE_SOURCE,
    /** A followed link whose target does not exist (or cannot be resolved); a link to store that cannot be read. */
    SYMLINK_BROKEN,
    /** A followed link that leads back into a directory being walked, or a chain of links that never ends. */
    SYMLINK_LOOP,
    /** A FIFO, socket or device: there are no bytes to store. */
    SPECIAL_FILE,
    /** The top-level {@code .ferry} entry of the source: the name of Ferry's state prefix in the bucket. */
    RESERVED_PATH,
    /** A file modified more recently than {@code spec.source.minFileAge}: it may still be being written. */
    TOO_RECENT
}
