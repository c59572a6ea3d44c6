package dev.ferry.worker.events;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.EventType;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.api.events.FileEventData;
import dev.ferry.api.events.TaskEventData;
import dev.ferry.worker.task.StopSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The events of one run of one task: built from its files' outcomes and its end, sent through the job's
 * {@link EventPublisher}, and counted while they wait for the broker's acknowledgement. The runners record
 * an outcome in the task's progress (its checkpoint) only when its event is acknowledged, and end a task
 * only when all of its events are: durable progress never runs ahead of the events, so a holder that
 * dies leaves to the next holder exactly the outcomes whose events may be missing.
 */
public final class TaskEvents {
    private final EventPublisher publisher;
    private final String jobUid;
    private final String namespace;
    private final String jobName;
    private final String taskName;
    private final String taskType;
    private final long epoch;
    /**
     * The job's run ({@code status.run}): task names and files repeat from run to run, their events' ids must not.
     */
    private final long run;
    private final String bucket;
    private final AtomicInteger awaiting = new AtomicInteger();

    public TaskEvents(EventPublisher publisher, MigrationJob job, MigrationTask task, long epoch, String bucket) {
        this.publisher = publisher;
        this.jobUid = job.getMetadata().getUid();
        this.namespace = job.getMetadata().getNamespace();
        this.jobName = job.getMetadata().getName();
        this.taskName = task.getMetadata().getName();
        this.taskType = task.getSpec().type == null ? null : task.getSpec().type.name();
        this.epoch = epoch;
        this.bucket = bucket;
        this.run = job.getStatus() == null ? 1 : job.getStatus().runOrFirst();
    }

    /** The outcome of {@code entry} (as planned: its size and mtime make the event's id) at {@code key}. */
    public CompletableFuture<Void> file(FileEntry entry, String key, EventType type, FileFacts facts) {
        if (publisher == EventPublisher.NONE) {
            // a job without notifications: no event is built for every file only to be dropped (measured: about
            // 4 % of the samples of a worker's file threads on small files, half of it formatting the mtime)
            return CompletableFuture.completedFuture(null);
        }
        long mtimeMillis = entry.mtime == null ? 0 : entry.mtime;
        FileEventData data = new FileEventData(jobUid, namespace, jobName, taskName, epoch, entry.path, bucket, key,
                entry.sizeOrZero(), Instant.ofEpochMilli(mtimeMillis).toString(), facts.md5Hex(), facts.eTag(),
                facts.endpoint(), facts.durationMs(), facts.code(), facts.message());
        return track(publisher.publish(FerryEvent.file(type, data, mtimeMillis, FerryEvent.now(), run)));
    }

    /** The end of the task, with its counters. */
    public CompletableFuture<Void> taskFinished(TaskPhase phase, long files, long copied, long skipped, long failed,
                                                long bytes, String message) {
        TaskEventData data = new TaskEventData(jobUid, namespace, jobName, taskName, taskType, epoch, phase.name(),
                files, copied, skipped, failed, bytes, message);
        return track(publisher.publish(FerryEvent.taskFinished(data, FerryEvent.now(), run)));
    }

    /** Events of this run sent and not yet acknowledged. */
    public int awaiting() {
        return awaiting.get();
    }

    /**
     * Waits until every event of this run is acknowledged; false when the holder must stop first (the
     * task is then released without the outcomes whose events are unacknowledged, for the next holder).
     * {@code whileWaiting} runs between looks, for the task's heartbeat and its count of waiting events.
     */
    public boolean awaitAcknowledged(StopSignal halt, Duration poll, Runnable whileWaiting) throws InterruptedException {
        while (awaiting.get() > 0) {
            if (halt.stopRequested()) {
                return false;
            }
            whileWaiting.run();
            Thread.sleep(poll.toMillis());
        }
        return true;
    }

    private CompletableFuture<Void> track(CompletableFuture<Void> sent) {
        awaiting.incrementAndGet();
        return sent.whenComplete((ok, error) -> awaiting.decrementAndGet());
    }
}
