package dev.ferry.worker.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.events.EventPublisher;
import dev.ferry.api.events.EventType;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.api.events.FileEventData;
import dev.ferry.worker.task.StopSignal;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A task's file events: sent and awaited when the job has notifications, neither when it has none. */
class TaskEventsTest {
    private static final FileFacts COPIED = new FileFacts("00ff", "\"00ff\"", "http://gw:9000", 12L, null, null);

    @Test
    void aJobWithoutNotificationsWaitsForNoEvent() throws InterruptedException {
        TaskEvents events = new TaskEvents(EventPublisher.NONE, job(), task(), 3, "bucket");

        CompletableFuture<Void> sent = events.file(new FileEntry("a/b.txt", 5, 1_700_000_000_000L), "p/a/b.txt",
                EventType.FILE_COPIED, COPIED);

        assertThat(sent).isCompleted();
        assertThat(events.awaiting()).isZero();
        assertThat(events.awaitAcknowledged(StopSignal.NEVER, Duration.ofMillis(1), () -> { })).isTrue();
    }

    @Test
    void aFileEventCarriesTheFileTheTaskAndItsObjectAndIsAwaitedUntilAcknowledged() throws InterruptedException {
        RecordingPublisher publisher = new RecordingPublisher();
        TaskEvents events = new TaskEvents(publisher, job(), task(), 3, "bucket");

        CompletableFuture<Void> sent = events.file(new FileEntry("a/b.txt", 5, 1_700_000_000_000L), "p/a/b.txt",
                EventType.FILE_COPIED, COPIED);

        assertThat(sent).isNotDone();
        assertThat(events.awaiting()).isEqualTo(1);
        FerryEvent event = publisher.events.get(0);
        assertThat(event.type()).isEqualTo(EventType.FILE_COPIED);
        FileEventData data = (FileEventData) event.data();
        assertThat(data.path()).isEqualTo("a/b.txt");
        assertThat(data.key()).isEqualTo("p/a/b.txt");
        assertThat(data.task()).isEqualTo("j-plan-00001");
        assertThat(data.epoch()).isEqualTo(3);
        assertThat(data.mtime()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(data.md5()).isEqualTo("00ff");

        publisher.acknowledgeAll();
        assertThat(events.awaiting()).isZero();
        assertThat(events.awaitAcknowledged(StopSignal.NEVER, Duration.ofMillis(1), () -> { })).isTrue();
    }

    private static MigrationJob job() {
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName("j").withNamespace("ns").withUid("uid-1").build());
        return job;
    }

    private static MigrationTask task() {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder().withName("j-plan-00001").withNamespace("ns").build());
        task.setSpec(new MigrationTaskSpec());
        return task;
    }

    /** Holds every event until the test acknowledges it. */
    private static final class RecordingPublisher implements EventPublisher {
        final List<FerryEvent> events = new ArrayList<>();
        final List<CompletableFuture<Void>> answers = new ArrayList<>();

        @Override
        public CompletableFuture<Void> publish(FerryEvent event) {
            events.add(event);
            CompletableFuture<Void> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        }

        void acknowledgeAll() {
            answers.forEach(a -> a.complete(null));
        }

        @Override
        public int pending() {
            return (int) answers.stream().filter(a -> !a.isDone()).count();
        }

        @Override
        public void close() {
        }
    }
}
