package dev.ferry.api.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code data} of a file event ({@code dev.ferry.file.copied|skipped|failed}).
 *
 * @param jobUid the job's UID: what makes ids unique across jobs of the same name
 * @param epoch the fencing epoch of the task's holder that sent it (a resend by another holder has another)
 * @param size the file's size in bytes as planned
 * @param mtime the file's modification time as planned, RFC 3339
 * @param md5 hex MD5 of the file's bytes, when known (copied, skipped with a checksum)
 * @param etag the object's ETag, when known
 * @param endpoint the gateway the object was written through (copied)
 * @param durationMs how long this holder spent on the file
 * @param code failed: the code of docs/errors.md
 * @param message failed: what happened; skipped: why the upload was unnecessary
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileEventData(
        String jobUid,
        String namespace,
        String job,
        String task,
        long epoch,
        String path,
        String bucket,
        String key,
        long size,
        String mtime,
        String md5,
        String etag,
        String endpoint,
        Long durationMs,
        String code,
        String message) {
}
