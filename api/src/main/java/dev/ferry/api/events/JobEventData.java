package dev.ferry.api.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code data} of {@code dev.ferry.job.started} and {@code dev.ferry.job.finished}; the counters
 * of a finished job are its final {@code status.files} and {@code status.bytes}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEventData(
        String jobUid,
        String namespace,
        String job,
        String phase,
        String mode,
        String bucket,
        String prefix,
        Long total,
        Long copied,
        Long skipped,
        Long failed,
        Long bytes,
        String startTime,
        String completionTime,
        String message) {
}
