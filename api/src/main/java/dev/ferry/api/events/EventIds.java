package dev.ferry.api.events;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Event ids that are the same for the same outcome: a consumer that has seen an id has seen that
 * outcome, however often it is sent again (a resend after a lost acknowledgement, a task taken back
 * from a dead worker and redone by another, an operator that failed over). Name-based UUIDs (RFC 4122
 * version 3) of what identifies the outcome:
 * <ul>
 *   <li>a file's: the job's UID, the type, the path and the version of the file planned (size and
 *       mtime as the task lists them, the same for every holder), for a failure its code, and from the job's
 *       second run on the run's number (a later run announces its own outcome of a file: skipped when unchanged,
 *       copied again when rewritten under the same size and mtime);</li>
 *   <li>a task's end: the job's UID, the task's name and how it ended, and from the job's second run on the
 *       run's number (task names repeat from run to run);</li>
 *   <li>a job's start and end: the job's UID (and how it ended), and from its second run on the run's number
 *       ({@code status.run}), so that each run of a scheduled job is announced once.</li>
 * </ul>
 */
public final class EventIds {
    private EventIds() {
    }

    public static String file(String jobUid, EventType type, String path, long size, long mtimeMillis, String code) {
        return uuid(jobUid, type.type(), path, Long.toString(size), Long.toString(mtimeMillis), code == null ? "" : code);
    }

    /** A file's outcome in run {@code run} of its job: the first run's id is the one without a run. */
    public static String file(String jobUid, EventType type, String path, long size, long mtimeMillis, String code,
                              long run) {
        return run <= 1 ? file(jobUid, type, path, size, mtimeMillis, code)
                : uuid(jobUid, type.type(), path, Long.toString(size), Long.toString(mtimeMillis),
                        code == null ? "" : code, "run " + run);
    }

    public static String task(String jobUid, String taskName, String phase) {
        return uuid(jobUid, EventType.TASK_FINISHED.type(), taskName, phase);
    }

    /** A task's end in run {@code run} of its job: the first run's id is {@link #task(String, String, String)}'s. */
    public static String task(String jobUid, String taskName, String phase, long run) {
        return run <= 1 ? task(jobUid, taskName, phase)
                : uuid(jobUid, EventType.TASK_FINISHED.type(), taskName, phase, "run " + run);
    }

    public static String job(String jobUid, EventType type, String phase) {
        return uuid(jobUid, type.type(), phase == null ? "" : phase);
    }

    /** A job's start or end in run {@code run}: the first run's id is {@link #job(String, EventType, String)}'s. */
    public static String job(String jobUid, EventType type, String phase, long run) {
        return run <= 1 ? job(jobUid, type, phase) : uuid(jobUid, type.type(), phase == null ? "" : phase, "run " + run);
    }

    private static String uuid(String... parts) {
        // NUL never occurs in a path or a name, so the parts cannot run into each other
        return UUID.nameUUIDFromBytes(String.join("\0", parts).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
