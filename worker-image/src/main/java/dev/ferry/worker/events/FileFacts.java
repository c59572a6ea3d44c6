package dev.ferry.worker.events;

/**
 * What a file's event says beyond the file itself; any of it may be unknown (null).
 *
 * @param md5Hex the file's MD5
 * @param eTag the object's ETag, without quotes
 * @param endpoint the gateway the object was written through
 * @param durationMs how long this holder spent on the file
 * @param code a failure's code (docs/errors.md)
 * @param message what happened, or why the upload was unnecessary
 */
public record FileFacts(String md5Hex, String eTag, String endpoint, Long durationMs, String code, String message) {
}
