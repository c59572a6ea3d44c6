package dev.ferry.worker.copy;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status.progressTime} counts bytes: a slow but moving upload keeps it fresh (so the operator never
 * takes it for a stall), a read that hangs does not move it, although the holder's heartbeat goes on.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class ProgressTimeIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("progress-it");
    static int jobs;

    @TempDir
    Path source;

    @BeforeAll
    static void installCrdsAndCredentials() {
        TestResources.installCrds(client);
        TestResources.createCredentials(client);
    }

    @Test
    void aSlowMultipartUploadOfOneFileKeepsItsProgressTimeMoving() throws Exception {
        // 3 parts (5, 5 and 2 MiB) under a limit of 1 MiB/s: about 11 s for one file, and no file outcome
        Map<String, byte[]> tree = Map.of("huge/slow.bin", Trees.randomBytes(12 * 1024 * 1024, 5));
        MigrationJob job = job("5Mi", "1Mi");
        String task = copyTask(job, tree);
        TreeSet<Instant> seen = new TreeSet<>();

        try (LocalWorker worker = new LocalWorker(client, source, POD_UID)) {
            long started = System.nanoTime();
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> worker.run(task));
            while (!run.isDone()) {
                MigrationTaskStatus status = TestResources.task(client, task).getStatus();
                if (status.phase == TaskPhase.Running && status.progressTime != null) {
                    seen.add(Instant.parse(status.progressTime));
                }
                Thread.sleep(200);
            }
            run.get();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the upload is slow")
                    .isGreaterThan(Duration.ofSeconds(6));
        }

        MigrationTaskStatus done = TestResources.task(client, task).getStatus();
        assertThat(done.phase).as(done.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.progress.copied).isEqualTo(1);
        assertThat(seen).as("progressTime moved while the one file was sent").hasSizeGreaterThanOrEqualTo(5);
        List<Instant> times = new ArrayList<>(seen);
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i))).as("gap before " + times.get(i))
                    .isLessThan(Duration.ofSeconds(3));
        }
        assertThat(Instant.parse(done.progressTime)).isAfterOrEqualTo(times.get(times.size() - 1));
    }

    @Test
    void aReadThatHangsDoesNotMoveTheProgressTimeWhileTheHeartbeatGoesOn() throws Exception {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        tree.put("a/first.txt", "first".getBytes());
        tree.put("b/hangs.bin", Trees.randomBytes(300_000, 6));
        MigrationJob job = job(null, null);
        job.getSpec().workers.concurrency = 1;
        String task = copyTask(job, tree);
        String[] hungProgressTime = new String[1];
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        CopyHooks hangingRead = new CopyHooks() {
            @Override
            public void beforeRead(Path file) throws InterruptedException {
                if (file.endsWith("hangs.bin")) {
                    reading.countDown();
                    unblock.await(60, TimeUnit.SECONDS);
                }
            }
        };

        try (LocalWorker worker = new LocalWorker(client, source, POD_UID, j -> S3ClientFactory.forJob(client, j),
                engine -> engine.hooks = hangingRead)) {
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> worker.run(task));
            assertThat(reading.await(20, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                MigrationTaskStatus.Progress progress = TestResources.task(client, task).getStatus().progress;
                assertThat(progress).isNotNull();
                assertThat(progress.checkpoint).isEqualTo("1");
            });
            MigrationTaskStatus hung = TestResources.task(client, task).getStatus();
            assertThat(hung.progressTime).isNotNull();
            hungProgressTime[0] = hung.progressTime;

            // the holder is alive and writes its heartbeat (every 10 s), but nothing moves
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertThat(TestResources.task(client, task).getStatus().heartbeat).isNotEqualTo(hung.heartbeat));
            MigrationTaskStatus later = TestResources.task(client, task).getStatus();
            assertThat(later.phase).isEqualTo(TaskPhase.Running);
            assertThat(later.progressTime).as("a hung read does not move the task").isEqualTo(hung.progressTime);

            unblock.countDown();
            run.get(30, TimeUnit.SECONDS);
        }

        MigrationTaskStatus done = TestResources.task(client, task).getStatus();
        assertThat(done.phase).as(done.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.progress.copied).isEqualTo(2);
        assertThat(Instant.parse(done.progressTime)).as("moved again once the read went on")
                .isAfter(Instant.parse(hungProgressTime[0]));
    }

    private MigrationJob job(String partSize, String bandwidthLimit) {
        MigrationJob job = TestResources.job("progress-" + (++jobs), S3.server().endpoint(), S3.bucket(), "/p/");
        job.getSpec().workers.partSize = partSize;
        job.getSpec().workers.bandwidthLimit = bandwidthLimit;
        job.getSpec().workers.concurrency = 2;
        return job;
    }

    private String copyTask(MigrationJob spec, Map<String, byte[]> tree) {
        MigrationJob job = TestResources.create(client, spec);
        String name = job.getMetadata().getName() + "-00001";
        List<FileEntry> files = new ArrayList<>();
        tree.forEach((path, content) -> {
            Trees.write(source, path, content);
            files.add(new FileEntry(path, content.length, 0));
        });
        TestResources.createCopyTask(client, job, name, files);
        TestResources.assign(client, name, POD_UID);
        return name;
    }
}
