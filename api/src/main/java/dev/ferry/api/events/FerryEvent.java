package dev.ferry.api.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * One event as Ferry publishes it: a CloudEvent 1.0 with a stable {@code id} ({@link EventIds}),
 * {@code source} naming the job ({@code /namespaces/<ns>/migrationjobs/<name>}), {@code subject} the
 * file's path (or the task's name), JSON {@code data}, and the Kafka record key that keeps the events of
 * one file (or task, or job) in order on one partition: the job's UID, then the path or task.
 */
public record FerryEvent(EventType type, String id, String namespace, String jobName, String subject,
                         String recordKey, OffsetDateTime time, Object data) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static FerryEvent file(EventType type, FileEventData data, long mtimeMillis, OffsetDateTime time) {
        return file(type, data, mtimeMillis, time, 1);
    }

    /** A file's outcome in run {@code run} of its job (status.run): ids differ per run from the second run on. */
    public static FerryEvent file(EventType type, FileEventData data, long mtimeMillis, OffsetDateTime time, long run) {
        String id = EventIds.file(data.jobUid(), type, data.path(), data.size(), mtimeMillis, data.code(), run);
        return new FerryEvent(type, id, data.namespace(), data.job(), data.path(), data.jobUid() + "/" + data.path(),
                time, data);
    }

    public static FerryEvent taskFinished(TaskEventData data, OffsetDateTime time) {
        return taskFinished(data, time, 1);
    }

    /** A task's end in run {@code run} of its job (status.run): ids differ per run from the second run on. */
    public static FerryEvent taskFinished(TaskEventData data, OffsetDateTime time, long run) {
        String id = EventIds.task(data.jobUid(), data.task(), data.phase(), run);
        return new FerryEvent(EventType.TASK_FINISHED, id, data.namespace(), data.job(), data.task(),
                data.jobUid() + "/" + data.task(), time, data);
    }

    public static FerryEvent job(EventType type, JobEventData data, OffsetDateTime time) {
        return job(type, data, time, 1);
    }

    /** A job event of run {@code run} (status.run): ids differ per run from the second run on. */
    public static FerryEvent job(EventType type, JobEventData data, OffsetDateTime time, long run) {
        String phase = type == EventType.JOB_STARTED ? null : data.phase();
        return new FerryEvent(type, EventIds.job(data.jobUid(), type, phase, run), data.namespace(), data.job(), null,
                data.jobUid(), time, data);
    }

    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }

    /** The job as the CloudEvents {@code source}: a URI reference, the path of the resource in the API. */
    public URI source() {
        return URI.create("/namespaces/" + namespace + "/migrationjobs/" + jobName);
    }

    public CloudEvent toCloudEvent() {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(id)
                .withType(type.type())
                .withSource(source())
                .withTime(time)
                .withDataContentType("application/json")
                .withData(dataJson());
        if (subject != null) {
            builder.withSubject(subject);
        }
        return builder.build();
    }

    private byte[] dataJson() {
        try {
            return JSON.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data of " + type + " cannot be written as JSON", e);
        }
    }
}
