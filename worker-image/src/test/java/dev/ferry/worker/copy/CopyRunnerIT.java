package dev.ferry.worker.copy;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.ManifestRef;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.manifest.Manifests;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class CopyRunnerIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("copy-it");

    @TempDir
    Path source;
    LocalWorker worker;

    @BeforeAll
    static void installCrdsAndCredentials() {
        TestResources.installCrds(client);
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void newWorker() {
        worker = new LocalWorker(client, source, POD_UID);
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    @Test
    void copiesSmallEmptyMultipartAndUnicodeFilesByteForByte() throws Exception {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        tree.put("a.txt", "hello ferry\n".getBytes());
        tree.put("dir/b.csv", Trees.randomBytes(70_000, 1));
        tree.put("empty.bin", new byte[0]);
        tree.put("big/twenty-mib.bin", Trees.randomBytes(20 * 1024 * 1024 + 12_345, 2));
        tree.put("dir with space/ünïcødé 文件.bin", Trees.randomBytes(4096, 3));
        MigrationJob job = jobWithPartSize("5Mi");
        String task = copyTask(job, tree);

        worker.run(task);

        MigrationTask done = TestResources.task(client, task);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.copied).isEqualTo(5);
        assertThat(done.getStatus().progress.files).isEqualTo(5);
        assertThat(done.getStatus().progress.failed).isZero();
        assertThat(done.getStatus().progress.checkpoint).isEqualTo("5");
        assertThat(done.getStatus().progress.bytes).isEqualTo(tree.values().stream().mapToLong(b -> b.length).sum());
        for (Map.Entry<String, byte[]> file : tree.entrySet()) {
            String key = "backup/2024/" + file.getKey();
            assertThat(download(key)).as(key).isEqualTo(file.getValue());
            HeadObjectResponse head = S3.server().client().headObject(b -> b.bucket(S3.bucket()).key(key));
            assertThat(head.metadata()).as(key)
                    .containsEntry("md5chksum", Base64.getEncoder().encodeToString(Trees.md5(file.getValue())))
                    .containsEntry("mtime", ObjectMetadata.formatMtime(
                            Files.getLastModifiedTime(source.resolve(file.getKey()))));
        }
    }

    /**
     * Nothing is uploaded again, and the files count as copied, not skipped: this job stored them (the
     * objects carry its UID), so they were not at the destination before the job touched them.
     */
    @Test
    void doesNotUploadAgainWhatThisJobStoredWhenTheTaskRunsAgain() {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        tree.put("one.txt", "1".getBytes());
        tree.put("two/large.bin", Trees.randomBytes(6 * 1024 * 1024, 4));
        MigrationJob job = jobWithPartSize("5Mi");
        String task = copyTask(job, tree);
        worker.run(task);
        assertThat(TestResources.task(client, task).getStatus().progress.copied).isEqualTo(2);

        // the operator hands the finished task out again (e.g. after a lost status write)
        handOutAgainFromTheStartAndRun(task);

        MigrationTask again = TestResources.task(client, task);
        assertThat(again.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(again.getStatus().progress.copied).isEqualTo(2);
        assertThat(again.getStatus().progress.skipped).isZero();
        assertThat(again.getStatus().progress.partsUploaded).as("no part sent again").isNull();
    }

    /**
     * A task planned into an empty folder ({@code spec.freshDestination}) is copied by its first holder without
     * listing what exists: it trusts the plan, and here uploads again what another task (not of its plan) stored
     * under its keys. Its next holder cannot know what the first one stored, so it lists, and sends nothing again.
     */
    @Test
    void theFirstHolderOfAFreshTaskTrustsThePlanAndALaterHolderListsAsUsual() {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        tree.put("one.txt", "1".getBytes());
        tree.put("two/large.bin", Trees.randomBytes(6 * 1024 * 1024, 5));
        MigrationJob job = jobWithPartSize("5Mi");
        worker.run(copyTask(job, tree));
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = TaskType.Copy;
        spec.files = entries(tree);
        spec.fileCount = spec.files.size();
        spec.freshDestination = true;
        String fresh = "fresh-" + S3.bucket();
        TestResources.createTask(client, job, fresh, spec);
        TestResources.assign(client, fresh, POD_UID);

        worker.run(fresh);

        MigrationTask first = TestResources.task(client, fresh);
        assertThat(first.getStatus().assignment.epoch).isEqualTo(1);
        assertThat(first.getStatus().progress.copied).isEqualTo(2);
        assertThat(first.getStatus().progress.partsUploaded).as("the large file sent again").isEqualTo(2);

        handOutAgainFromTheStartAndRun(fresh);

        MigrationTask second = TestResources.task(client, fresh);
        assertThat(second.getStatus().assignment.epoch).isEqualTo(2);
        assertThat(second.getStatus().progress.copied).isEqualTo(2);
        assertThat(second.getStatus().progress.partsUploaded).as("no part sent again").isNull();
    }

    /** One bad file sinks nothing else: the task ends Succeeded with its failed files reported (issue 11). */
    @Test
    void recordsVanishedFilesAndOverlongKeysAsFailuresAndCopiesTheRest() {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        tree.put("kept.txt", "kept".getBytes());
        // 5 names of 250 bytes: a valid path, but a key of more than 1024 bytes
        tree.put("x".repeat(250) + "/" + "y".repeat(250) + "/" + "z".repeat(250) + "/" + "w".repeat(250) + "/"
                + "v".repeat(246) + ".txt", "long".getBytes());
        MigrationJob job = jobWithPartSize(null);
        List<FileEntry> files = entries(tree);
        files.add(1, new FileEntry("gone.txt", 10, 0));
        String task = "copy-failures-" + S3.bucket();
        TestResources.createCopyTask(client, job, task, files);
        TestResources.assign(client, task, POD_UID);

        worker.run(task);

        MigrationTask done = TestResources.task(client, task);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().message).isEqualTo("1 copied, 0 skipped, 2 failed of 3 files");
        assertThat(done.getStatus().progress.copied).isEqualTo(1);
        assertThat(done.getStatus().progress.failed).isEqualTo(2);
        assertThat(done.getStatus().progress.files).isEqualTo(3);
        assertThat(done.getStatus().failures).extracting(f -> f.code)
                .containsExactly(FailureCode.SOURCE_VANISHED.name(), FailureCode.KEY_TOO_LONG.name());
        assertThat(download("backup/2024/kept.txt")).isEqualTo("kept".getBytes());
    }

    @Test
    void aTaskThatSucceededKeepsItsManifestForTheAudit() throws Exception {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            tree.put("listed/f" + i, Trees.randomBytes(100 + i, i));
        }
        MigrationJob job = jobWithPartSize("5Mi");
        ManifestRef manifest;
        try (EndpointPool store = S3ClientFactory.forJob(client, job)) {
            manifest = Manifests.write(store, job, "listed", entries(tree));
        }
        assertThat(S3.server().client().headObject(b -> b.bucket(S3.bucket()).key(manifest.key)).contentLength())
                .isPositive();
        String name = "listed-" + S3.bucket();
        TestResources.createCopyTask(client, job, name, manifest);
        TestResources.assign(client, name, POD_UID);

        worker.run(name);

        MigrationTask done = TestResources.task(client, name);
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.copied).isEqualTo(60);
        assertThat(S3.server().client().headObject(b -> b.bucket(S3.bucket()).key(manifest.key)).contentLength())
                .as("the plan's record of the task: the audit reads it, then removes it").isPositive();
    }

    /**
     * A worker whose Lease lapsed (cut off from the API server while the source and the store answer) starts no
     * file; the operator hands the task on meanwhile, and once the worker is back, its fence tells it so before
     * it copies anything: no file is copied by two workers.
     */
    @Test
    void aWorkerWhoseLeaseLapsedStartsNoFileAndCopiesNothingOnceTheTaskWasHandedOn() throws Exception {
        AtomicReference<Optional<String>> lapse = new AtomicReference<>(Optional.of("the Lease has not been renewed for 12 s"));
        PausedRun paused = runPaused(lapse);
        String task = paused.task();
        TestResources.assign(client, task, "another-worker-uid"); // the operator found it dead
        lapse.set(Optional.empty());
        paused.running().get(10, TimeUnit.SECONDS);

        assertThat(storedKeys()).as("nothing copied by the worker the task was taken from").isEmpty();
        MigrationTask after = TestResources.task(client, task);
        assertThat(after.getStatus().assignment.podUid).isEqualTo("another-worker-uid");
        assertThat(after.getStatus().phase).as("untouched by the earlier holder").isEqualTo(TaskPhase.Assigned);
    }

    @Test
    void aWorkerWhoseLeaseIsRenewedAgainInTimeGoesOnWithItsTask() throws Exception {
        AtomicReference<Optional<String>> lapse = new AtomicReference<>(Optional.of("the Lease has not been renewed for 12 s"));
        PausedRun paused = runPaused(lapse);
        lapse.set(Optional.empty());
        paused.running().get(30, TimeUnit.SECONDS);

        MigrationTask done = TestResources.task(client, paused.task());
        assertThat(done.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.copied).isEqualTo(20);
        assertThat(storedKeys()).hasSize(20);
    }

    /**
     * A file thread goes on with its task's next file only while the worker's standing is good: once the Lease
     * lapses mid-task no further file starts, on the thread that noticed or any other (a thread busy through the
     * lapse included), and once the task was handed on meanwhile the worker copies nothing more of it. The
     * standing is good for its first ten looks (one before each file starts) and lapsed from then on until it is
     * renewed, after the task was handed on.
     */
    @Test
    void aLeaseThatLapsesMidTaskStartsNoFurtherFileOnAnyFileThread() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        AtomicBoolean renewed = new AtomicBoolean();
        worker.withStanding(() -> !renewed.get() && looks.incrementAndGet() > 10
                ? Optional.of("the Lease has not been renewed for 12 s") : Optional.empty());
        String task = copyTask(jobWithPartSize("5Mi"), smallFiles(200));
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> worker.run(task));
        await().atMost(Duration.ofSeconds(20)).until(() -> looks.get() > 10);

        TestResources.assign(client, task, "another-worker-uid"); // the operator found it dead
        renewed.set(true);
        running.get(10, TimeUnit.SECONDS);

        assertThat(storedKeys()).as("only the files started before the lapse").hasSizeLessThanOrEqualTo(10);
        MigrationTask after = TestResources.task(client, task);
        assertThat(after.getStatus().assignment.podUid).isEqualTo("another-worker-uid");
        assertThat(after.getStatus().progress == null ? 0 : after.getStatus().progress.copied)
                .as("no progress written over the new holder's").isLessThanOrEqualTo(10);
    }

    private record PausedRun(String task, CompletableFuture<Void> running) {
    }

    /** A task of 20 small files run by a worker whose standing is {@code lapse}d: returned once it stored nothing for 1 s. */
    private PausedRun runPaused(AtomicReference<Optional<String>> lapse) {
        worker.withStanding(lapse::get);
        String task = copyTask(jobWithPartSize("5Mi"), smallFiles(20));
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> worker.run(task));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(storedKeys()).as("paused").isEmpty());
        return new PausedRun(task, running);
    }

    private static Map<String, byte[]> smallFiles(int count) {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            tree.put("small/" + i + ".bin", Trees.randomBytes(1000 + i, 100 + i));
        }
        return tree;
    }

    /** The keys under the job's prefix (not the state prefix). */
    private List<String> storedKeys() {
        return S3.server().client().listObjectsV2(b -> b.bucket(S3.bucket()).prefix("backup/")).contents().stream()
                .map(S3Object::key).toList();
    }

    /** The task handed out again under a new epoch, its progress gone (as if its status write had been lost), and run. */
    private void handOutAgainFromTheStartAndRun(String task) {
        TestResources.updateStatus(client, task, s -> {
            s.progress = null;
            s.failures = null;
        });
        TestResources.assign(client, task, POD_UID);
        worker.run(task);
    }

    private MigrationJob jobWithPartSize(String partSize) {
        MigrationJob job = TestResources.job("job-" + S3.bucket(), S3.server().endpoint(), S3.bucket(), "/backup/2024/");
        job.getSpec().workers.partSize = partSize;
        job.getSpec().workers.concurrency = 4;
        return TestResources.create(client, job);
    }

    private String copyTask(MigrationJob job, Map<String, byte[]> tree) {
        String name = "copy-" + S3.bucket();
        TestResources.createCopyTask(client, job, name, entries(tree));
        TestResources.assign(client, name, POD_UID);
        return name;
    }

    private List<FileEntry> entries(Map<String, byte[]> tree) {
        List<FileEntry> files = new ArrayList<>();
        tree.forEach((path, content) -> {
            Trees.write(source, path, content);
            files.add(new FileEntry(path, content.length, 0));
        });
        return files;
    }

    private byte[] download(String key) {
        ResponseInputStream<GetObjectResponse> in = S3.server().client().getObject(b -> b.bucket(S3.bucket()).key(key));
        return Trees.readAll(in);
    }
}
