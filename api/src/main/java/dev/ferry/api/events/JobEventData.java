package dev.ferry.api.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code data} of {@code dev.ferry.job.started} and {@code dev.ferry.job.finished}; the counters
 * of a finished job are its final {@code status.files} and {@code status.bytes}. {@code run} is the run
 * the event is about ({@code status.run}: 1 for the job's first pass, one more for each recurring run),
 * so a consumer tells the runs of one job apart without reading the event's id.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEventData(
        String jobUid,
        String namespace,
        String job,
        Long run,
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
