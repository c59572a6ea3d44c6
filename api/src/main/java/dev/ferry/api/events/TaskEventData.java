package dev.ferry.api.events;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The {@code data} of {@code dev.ferry.task.finished}: how a Copy or Parts task ended, with its counters. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskEventData(
        String jobUid,
        String namespace,
        String job,
        String task,
        String taskType,
        long epoch,
        String phase,
        long files,
        long copied,
        long skipped,
        long failed,
        long bytes,
        String message) {
}
