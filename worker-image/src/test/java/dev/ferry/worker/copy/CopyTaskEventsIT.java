package dev.ferry.worker.copy;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.events.EventIds;
import dev.ferry.api.events.EventType;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.api.events.FileEventData;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.testing.HeldEvents;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Copy task with events (issue 10): durable progress never runs ahead of acknowledged events, the
 * task ends only once its end is acknowledged, and a file whose event a first holder never got out
 * is announced by the next holder as copied with the same id.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class CopyTaskEventsIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("events-it");

    @TempDir
    Path source;

    @BeforeAll
    static void installCrdsAndCredentials() {
        TestResources.installCrds(client);
        TestResources.createCredentials(client);
    }

    @Test
    void aFileCountsOnlyOnceItsEventIsAcknowledgedAndTheTaskEndsAfterItsEndIsAcknowledged() {
        MigrationJob job = job();
        List<FileEntry> files = files(Map.of("a.txt", "alpha", "b/c.txt", "charlie", "d.bin", "delta"));
        String task = task(job, files);
        HeldEvents broker = HeldEvents.holding();

        CompletableFuture<Void> run;
        try (LocalWorker worker = new LocalWorker(client, source, POD_UID, broker)) {
            run = CompletableFuture.runAsync(() -> worker.run(task));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                MigrationTask held = TestResources.task(client, task);
                assertThat(broker.published()).hasSize(3);
                assertThat(held.getStatus().phase).isEqualTo(TaskPhase.Running);
                assertThat(held.getStatus().progress).isNotNull();
                assertThat(held.getStatus().progress.eventsPending).isEqualTo(3);
                assertThat(held.getStatus().progress.checkpoint).isEqualTo("0");
                assertThat(held.getStatus().progress.copied).isZero();
            });

            broker.acknowledgeAll();
            await().atMost(Duration.ofSeconds(20)).until(run::isDone);
        }

        MigrationTask done = TestResources.task(client, task);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.copied).isEqualTo(3);
        assertThat(done.getStatus().progress.eventsPending).isNull();
        List<FerryEvent> events = broker.published();
        assertThat(events).extracting(FerryEvent::type).containsExactlyInAnyOrder(EventType.FILE_COPIED,
                EventType.FILE_COPIED, EventType.FILE_COPIED, EventType.TASK_FINISHED);
        assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.TASK_FINISHED);
        assertThat(fileEventIds(events)).containsExactlyInAnyOrderElementsOf(expectedIds(job, files));
        FileEventData a = events.stream().filter(e -> "a.txt".equals(e.subject())).map(e -> (FileEventData) e.data())
                .findFirst().orElseThrow();
        assertThat(a.key()).isEqualTo("events/a.txt");
        assertThat(a.md5()).isEqualTo(java.util.HexFormat.of().formatHex(Trees.md5("alpha".getBytes())));
        assertThat(a.etag()).isEqualTo(a.md5());
        assertThat(a.endpoint()).isEqualTo(S3.server().endpoint().toString());
        assertThat(a.epoch()).isEqualTo(1);
        assertThat(a.jobUid()).isEqualTo(job.getMetadata().getUid());
        assertThat(a.durationMs()).isNotNull();
    }

    @Test
    void aFileCopiedByAHolderWhoseEventWasLostIsAnnouncedCopiedWithTheSameIdByTheNext() {
        MigrationJob job = job();
        List<FileEntry> files = files(Map.of("x.txt", "x-ray", "y.txt", "yankee"));
        String task = task(job, files);
        HeldEvents lost = HeldEvents.holding();

        try (LocalWorker first = new LocalWorker(client, source, POD_UID, lost)) {
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> first.run(task));
            await().atMost(Duration.ofSeconds(20)).until(() -> lost.published().size() == 2);
            // the first holder is taken for dead: the operator hands the task to another pod
            TestResources.assign(client, task, "another-pod-uid");
            await().atMost(Duration.ofSeconds(20)).until(run::isDone);
        }
        MigrationTask taken = TestResources.task(client, task);
        assertThat(taken.getStatus().progress == null ? 0 : taken.getStatus().progress.copied)
                .as("nothing was counted without an acknowledged event").isZero();

        HeldEvents broker = HeldEvents.acknowledging();
        try (LocalWorker next = new LocalWorker(client, source, "another-pod-uid", broker)) {
            next.run(task);
        }

        MigrationTask done = TestResources.task(client, task);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.copied).isEqualTo(2);
        assertThat(done.getStatus().progress.skipped).isZero();
        assertThat(fileEventIds(broker.published())).containsExactlyInAnyOrderElementsOf(fileEventIds(lost.published()))
                .containsExactlyInAnyOrderElementsOf(expectedIds(job, files));
        assertThat(broker.published()).filteredOn(e -> e.type() != EventType.TASK_FINISHED)
                .allSatisfy(e -> assertThat(e.type()).isEqualTo(EventType.FILE_COPIED))
                .allSatisfy(e -> assertThat(((FileEventData) e.data()).epoch()).isEqualTo(2));
    }

    @Test
    void anIdenticalObjectAnotherJobStoredIsSkippedNotCopied() {
        MigrationJob first = job();
        List<FileEntry> files = files(Map.of("same.txt", "unchanged"));
        try (LocalWorker worker = new LocalWorker(client, source, POD_UID, HeldEvents.acknowledging())) {
            worker.run(task(first, files));
        }

        MigrationJob second = job(); // a new job over the same tree and prefix, e.g. a Sync re-run
        HeldEvents broker = HeldEvents.acknowledging();
        try (LocalWorker worker = new LocalWorker(client, source, POD_UID, broker)) {
            worker.run(task(second, files));
        }

        assertThat(broker.published()).extracting(FerryEvent::type)
                .containsExactly(EventType.FILE_SKIPPED, EventType.TASK_FINISHED);
        FerryEvent skipped = broker.published().get(0);
        assertThat(skipped.id()).isEqualTo(EventIds.file(second.getMetadata().getUid(), EventType.FILE_SKIPPED,
                "same.txt", 9, 0, null));
    }

    @Test
    void aLaterRunOfTheJobSkipsWhatAnEarlierRunCopiedAndAnnouncesItsOwnOutcomes() throws Exception {
        MigrationJob job = job();
        List<FileEntry> files = files(Map.of("same.txt", "unchanged", "edited.txt", "version 1"));
        try (LocalWorker worker = new LocalWorker(client, source, POD_UID, HeldEvents.acknowledging())) {
            worker.run(task(job, files));
        }
        // rewritten in place between the runs: same size, same mtime, other bytes (Checksum mode sees it)
        Path edited = source.resolve("edited.txt");
        java.nio.file.attribute.FileTime mtime = java.nio.file.Files.getLastModifiedTime(edited);
        Trees.write(source, "edited.txt", "version 2".getBytes());
        java.nio.file.Files.setLastModifiedTime(edited, mtime);

        // run 2 (a schedule or ferry.dev/run-now): the operator deletes run 1's tasks and plans again
        MigrationJob run2 = inRun(job, 2);
        client.resources(MigrationTask.class).inNamespace(TestResources.NAMESPACE)
                .withName(job.getMetadata().getName() + "-00001").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> TestResources.task(client,
                job.getMetadata().getName() + "-00001") == null);
        String task = task(run2, files);
        HeldEvents lost = HeldEvents.holding();
        try (LocalWorker first = new LocalWorker(client, source, POD_UID, lost)) {
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> first.run(task));
            await().atMost(Duration.ofSeconds(20)).until(() -> lost.published().size() == 2);
            TestResources.assign(client, task, "another-pod-uid"); // the first holder of run 2 is taken for dead
            await().atMost(Duration.ofSeconds(20)).until(run::isDone);
        }
        HeldEvents broker = HeldEvents.acknowledging();
        try (LocalWorker next = new LocalWorker(client, source, "another-pod-uid", broker)) {
            next.run(task);
        }

        MigrationTask done = TestResources.task(client, task);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.skipped).as("run 1's object of the unchanged file").isEqualTo(1);
        assertThat(done.getStatus().progress.copied).as("the rewritten file, uploaded by run 2's first holder")
                .isEqualTo(1);
        String uid = job.getMetadata().getUid();
        Map<String, String> ids = new LinkedHashMap<>();
        broker.published().stream().filter(e -> e.type() != EventType.TASK_FINISHED)
                .forEach(e -> ids.put(e.subject(), e.type() + " " + e.id()));
        assertThat(ids).containsExactlyInAnyOrderEntriesOf(Map.of(
                "same.txt", EventType.FILE_SKIPPED + " " + EventIds.file(uid, EventType.FILE_SKIPPED, "same.txt", 9, 0,
                        null, 2),
                "edited.txt", EventType.FILE_COPIED + " " + EventIds.file(uid, EventType.FILE_COPIED, "edited.txt", 9,
                        0, null, 2)));
        assertThat(fileEventIds(lost.published())).containsExactlyInAnyOrderElementsOf(fileEventIds(broker.published()));
        assertThat(fileEventIds(broker.published())).as("run 2's outcomes are news to a consumer that saw run 1's")
                .doesNotContainAnyElementsOf(expectedIds(job, files));
    }

    /** The job as the operator leaves it when run {@code run} starts: {@code status.run}. */
    private static MigrationJob inRun(MigrationJob job, long run) {
        MigrationJob current = client.resources(MigrationJob.class).inNamespace(TestResources.NAMESPACE)
                .withName(job.getMetadata().getName()).get();
        if (current.getStatus() == null) {
            current.setStatus(new dev.ferry.api.MigrationJobStatus());
        }
        current.getStatus().run = run;
        return client.resources(MigrationJob.class).inNamespace(TestResources.NAMESPACE).resource(current)
                .updateStatus();
    }

    private static int jobs;

    private MigrationJob job() {
        MigrationJob job = TestResources.job("events-" + S3.bucket() + "-" + (++jobs), S3.server().endpoint(),
                S3.bucket(), "events");
        job.getMetadata().setUid(java.util.UUID.randomUUID().toString());
        job.getSpec().workers.concurrency = 2;
        return TestResources.create(client, job);
    }

    private String task(MigrationJob job, List<FileEntry> files) {
        String name = job.getMetadata().getName() + "-00001";
        TestResources.createCopyTask(client, job, name, files);
        TestResources.assign(client, name, POD_UID);
        return name;
    }

    private List<FileEntry> files(Map<String, String> tree) {
        List<FileEntry> files = new ArrayList<>();
        new LinkedHashMap<>(tree).forEach((path, content) -> {
            Trees.write(source, path, content.getBytes());
            files.add(new FileEntry(path, content.length(), 0));
        });
        return files;
    }

    private static List<String> expectedIds(MigrationJob job, List<FileEntry> files) {
        return files.stream().map(f -> EventIds.file(job.getMetadata().getUid(), EventType.FILE_COPIED, f.path,
                f.sizeOrZero(), 0, null)).toList();
    }

    private static List<String> fileEventIds(List<FerryEvent> events) {
        return events.stream().filter(e -> e.type() != EventType.TASK_FINISHED).map(FerryEvent::id).toList();
    }
}
