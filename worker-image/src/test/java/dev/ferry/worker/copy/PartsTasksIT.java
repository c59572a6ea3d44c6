package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * A huge file split into Parts tasks, as the plan leaves it: one multipart upload created with the
 * file's mtime, three tasks of part ranges, the file counted by the task with part 1. Three worker
 * instances (three pod UIDs, three engines) run them against the CRUD mock API and S3Proxy; the test
 * plays the operator (hand-out with a new epoch).
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class PartsTasksIT {
    static final int PART = 5 * 1024 * 1024;
    /** Eight parts: ranges 1..3, 4..6 and 7..8. */
    static final int SIZE = 7 * PART + 654_321;
    static final String PATH = "data/huge.bin";
    static final String KEY = "parts/" + PATH;
    static final String[] PODS = {"pod-uid-a", "pod-uid-b", "pod-uid-c"};

    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("parts-it");

    @TempDir
    Path source;
    final List<LocalWorker> workers = new ArrayList<>();
    MigrationJob job;
    Path file;
    String uploadId;

    @BeforeAll
    static void installCrdsAndCredentials() {
        TestResources.installCrds(client);
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void planAHugeFile() throws Exception {
        for (String pod : PODS) {
            workers.add(new LocalWorker(client, source, pod));
        }
        job = TestResources.job("job-" + S3.bucket(), S3.server().endpoint(), S3.bucket(), "parts");
        job.getSpec().workers.partSize = "5Mi";
        job.getSpec().workers.concurrency = 3;
        job = TestResources.create(client, job);
        file = Trees.write(source, PATH, Trees.randomBytes(SIZE, 11));
        // what the plan does before it creates the tasks
        Map<String, String> metadata = ObjectMetadata.of(Files.getLastModifiedTime(file), null);
        uploadId = s3().createMultipartUpload(b -> b.bucket(S3.bucket()).key(KEY).metadata(metadata)).uploadId();
        createPartsTask(1, 1, 3);
        createPartsTask(2, 4, 6);
        createPartsTask(3, 7, 8);
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(LocalWorker::close);
    }

    @Test
    void threeWorkersCompleteOneObjectThatIsTheFileAndCountItOnce() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 1; t <= 3; t++) {
                int task = t;
                running.add(threads.submit(() -> run(task, PODS[task - 1])));
            }
            for (Future<?> r : running) {
                r.get();
            }
        } finally {
            threads.shutdown();
        }
        // as the operator does: a task back in Pending (the task with part 1 waiting for the others, a
        // listing the store answered with 500 while a part was written) is handed out again
        for (int round = 0; round < 3; round++) {
            for (int t = 1; t <= 3; t++) {
                if (phase(t) == TaskPhase.Pending) {
                    run(t, PODS[t - 1]);
                }
            }
        }

        assertThat(List.of(phase(1), phase(2), phase(3))).containsOnly(TaskPhase.Succeeded);
        assertThat(progress(1).copied).isEqualTo(1);
        assertThat(progress(1).total).isEqualTo(1);
        assertThat(progress(2).copied + progress(3).copied).isZero();
        assertThat(progress(1).bytes + progress(2).bytes + progress(3).bytes).isEqualTo(SIZE);
        assertThat(partsUploaded(1) + partsUploaded(2) + partsUploaded(3)).isEqualTo(8);
        assertObjectIsTheFile();
    }

    @Test
    void theTaskWithPartOneWaitsForItsSiblingsWithoutAnAttemptThenReportsTheFile() throws Exception {
        run(1, PODS[0]);
        MigrationTask waiting = task(1);
        assertThat(waiting.getStatus().phase).isEqualTo(TaskPhase.Pending);
        assertThat(waiting.getStatus().notBefore).isNotNull();
        assertThat(Instant.parse(waiting.getStatus().notBefore)).isAfter(Instant.now());
        assertThat(waiting.getStatus().attemptsOrZero()).isZero();
        assertThat(waiting.getStatus().progress.checkpoint).isEqualTo("3");
        assertThat(waiting.getStatus().progress.copied).isZero();

        run(2, PODS[1]);
        run(3, PODS[2]); // the last range: it sees every part and completes the upload
        assertThat(phase(3)).isEqualTo(TaskPhase.Succeeded);
        assertObjectIsTheFile();

        run(1, PODS[0]);
        assertThat(phase(1)).isEqualTo(TaskPhase.Succeeded);
        assertThat(progress(1).copied).isEqualTo(1);
        assertThat(partsUploaded(1)).as("its range was not sent again").isEqualTo(3);
        assertThat(progress(1).bytes + progress(2).bytes + progress(3).bytes).isEqualTo(SIZE);
    }

    @Test
    void aWorkerWhoseLeaseLapsedSendsNoPartAndNoneOnceItsRangeWasHandedOn() throws Exception {
        AtomicReference<Optional<String>> lapse = new AtomicReference<>(Optional.of("the Lease has not been renewed for 12 s"));
        workers.get(1).withStanding(lapse::get);
        TestResources.assign(client, name(2), PODS[1]);
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> workers.get(1).run(name(2)));

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(storedPartNumbers()).as("paused").isEmpty());
        TestResources.assign(client, name(2), PODS[2]); // the operator found it dead
        lapse.set(Optional.empty());
        running.get(10, TimeUnit.SECONDS);

        assertThat(storedPartNumbers()).as("no part sent by the worker the range was taken from").isEmpty();
        assertThat(task(2).getStatus().assignment.podUid).isEqualTo(PODS[2]);
    }

    @Test
    void aReassignedPartsTaskKeepsTheVerifiedPartsOfItsRangeAndSendsTheRest() throws Exception {
        byte[] content = Files.readAllBytes(file);
        storePart(4, range(content, 4));
        storePart(5, range(content, 5));
        storePart(6, Trees.randomBytes(PART, 12)); // not the file's

        run(2, PODS[1]);

        assertThat(phase(2)).isEqualTo(TaskPhase.Succeeded);
        assertThat(progress(2).partsReused).isEqualTo(2);
        assertThat(progress(2).partsUploaded).isEqualTo(1);
        run(3, PODS[2]);
        run(1, PODS[0]);
        assertThat(progress(1).copied).isEqualTo(1);
        assertObjectIsTheFile();
    }

    @Test
    void aRangeWhoseHolderDiedBeforeWritingItDownCountsItsBytesWhenASiblingCompletedTheObject() throws Exception {
        byte[] content = Files.readAllBytes(file);
        for (int n = 4; n <= 6; n++) {
            storePart(n, range(content, n)); // sent by a holder of task 2 killed before it wrote its progress
        }
        run(3, PODS[2]);
        run(1, PODS[0]); // every part is there: it completes the object
        assertObjectIsTheFile();

        run(2, PODS[1]); // the next holder of task 2 finds the upload gone and the object complete

        assertThat(phase(2)).isEqualTo(TaskPhase.Succeeded);
        assertThat(progress(2).bytes).as("its range's bytes").isEqualTo(3L * PART);
        assertThat(progress(2).partsReused).as("its parts, sent by the holder that died").isEqualTo(3);
        assertThat(progress(1).bytes + progress(2).bytes + progress(3).bytes).isEqualTo(SIZE);
        assertThat(progress(1).copied + progress(2).copied + progress(3).copied).isEqualTo(1);
    }

    @Test
    void aFileChangedSincePlanningFailsWithSourceChangedCountedOnceAndTheUploadIsAborted() throws Exception {
        Files.write(file, new byte[1000], StandardOpenOption.APPEND);

        run(2, PODS[1]);

        // the file has its outcome (failed, reported): not the tasks' failure (issue 11)
        assertThat(phase(2)).isEqualTo(TaskPhase.Succeeded);
        assertThat(task(2).getStatus().message).startsWith(FailureCode.SOURCE_CHANGED.name());
        assertThat(progress(2).failed).as("the task with part 1 counts the file").isZero();
        assertThat(uploads()).isEmpty();

        run(1, PODS[0]);
        assertThat(phase(1)).isEqualTo(TaskPhase.Succeeded);
        assertThat(progress(1).failed).isEqualTo(1);
        assertThat(task(1).getStatus().failures).extracting(f -> f.code, f -> f.path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(FailureCode.SOURCE_CHANGED.name(), PATH));
        assertThat(stored()).isNull();
        assertThat(failureLog(1)).as("stored for the failure report, as a Copy task's failures")
                .singleElement().asString().contains("\"n\":1").contains(PATH).contains(FailureCode.SOURCE_CHANGED.name());
        assertThat(failureLog(2)).as("the file is counted by the task with part 1 only").isEmpty();
    }

    @Test
    void aSiblingThatFailedForGoodMakesTheFileFailWithPartsIncomplete() throws Exception {
        TestResources.updateStatus(client, name(3), s -> {
            s.phase = TaskPhase.Failed;
            s.message = "gave up after 5 attempts (spec.tasks.maxAttempts is 5)";
        });
        run(2, PODS[1]);

        run(1, PODS[0]);

        assertThat(phase(1)).as("the file is reported failed: the task's outcome is reached").isEqualTo(TaskPhase.Succeeded);
        assertThat(progress(1).failed).isEqualTo(1);
        assertThat(task(1).getStatus().failures).extracting(f -> f.code).containsExactly(FailureCode.PARTS_INCOMPLETE.name());
        assertThat(uploads()).as("the upload is aborted").isEmpty();
    }

    @Test
    void aCopyTaskReportsThePartsItFoundStoredAndThePartsItSent() throws Exception {
        Path other = Trees.write(source, "data/other.bin", Trees.randomBytes(SIZE, 13));
        byte[] content = Files.readAllBytes(other);
        String left = s3().createMultipartUpload(b -> b.bucket(S3.bucket()).key("parts/data/other.bin")).uploadId();
        for (int n = 1; n <= 5; n++) {
            byte[] part = range(content, n);
            int number = n;
            s3().uploadPart(b -> b.bucket(S3.bucket()).key("parts/data/other.bin").uploadId(left).partNumber(number)
                    .contentLength((long) part.length), RequestBody.fromBytes(part));
        }
        String copy = "copy-" + S3.bucket();
        TestResources.createCopyTask(client, job, copy, List.of(new FileEntry("data/other.bin", SIZE, 0)));
        TestResources.assign(client, copy, PODS[0]);

        workers.get(0).run(copy);

        MigrationTaskStatus.Progress progress = TestResources.task(client, copy).getStatus().progress;
        assertThat(progress.copied).isEqualTo(1);
        assertThat(progress.partsReused).isEqualTo(5);
        assertThat(progress.partsUploaded).isEqualTo(3);
        assertThat(s3().getObjectAsBytes(b -> b.bucket(S3.bucket()).key("parts/data/other.bin")).asByteArray())
                .isEqualTo(content);
    }

    private void assertObjectIsTheFile() throws Exception {
        byte[] content = Files.readAllBytes(file);
        assertThat(sha256(stored())).as("SHA-256 of the object").isEqualTo(sha256(content));
        HeadObjectResponse head = s3().headObject(b -> b.bucket(S3.bucket()).key(KEY));
        assertThat(head.metadata())
                .containsEntry(ObjectMetadata.MD5, Base64.getEncoder().encodeToString(Trees.md5(content)))
                .containsEntry(ObjectMetadata.MTIME, ObjectMetadata.formatMtime(Files.getLastModifiedTime(file)));
        assertThat(uploads()).isEmpty();
    }

    /** The lines of task {@code n}'s failure log under the job's state prefix. */
    private List<String> failureLog(int n) {
        String folder = StatePrefix.failures(job) + name(n) + "/";
        return s3().listObjectsV2Paginator(b -> b.bucket(S3.bucket()).prefix(folder)).contents().stream()
                .flatMap(o -> s3().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(o.key())).asUtf8String().lines())
                .toList();
    }

    private void createPartsTask(int n, int first, int last) throws Exception {
        PartsTaskSpecs.create(client, job, name(n), new FileEntry(PATH, SIZE, Files.getLastModifiedTime(file).toMillis()),
                PART, first, last, 8, uploadId);
    }

    /** The operator's hand-out to {@code pod}, then that pod's worker runs the task. */
    private void run(int n, String pod) {
        TestResources.assign(client, name(n), pod);
        workers.get(Arrays.asList(PODS).indexOf(pod)).run(name(n));
    }

    private String name(int n) {
        return job.getMetadata().getName() + "-plan-0000" + n;
    }

    private MigrationTask task(int n) {
        return TestResources.task(client, name(n));
    }

    private TaskPhase phase(int n) {
        return task(n).getStatus().phase;
    }

    private MigrationTaskStatus.Progress progress(int n) {
        return task(n).getStatus().progress;
    }

    private long partsUploaded(int n) {
        Long parts = progress(n).partsUploaded;
        return parts == null ? 0 : parts;
    }

    private static byte[] range(byte[] content, int n) {
        int from = (n - 1) * PART;
        return Arrays.copyOfRange(content, from, Math.min(content.length, from + PART));
    }

    private void storePart(int n, byte[] data) {
        s3().uploadPart(b -> b.bucket(S3.bucket()).key(KEY).uploadId(uploadId).partNumber(n)
                .contentLength((long) data.length), RequestBody.fromBytes(data));
    }

    private List<Integer> storedPartNumbers() {
        return s3().listParts(b -> b.bucket(S3.bucket()).key(KEY).uploadId(uploadId)).parts().stream()
                .map(Part::partNumber).toList();
    }

    private List<String> uploads() {
        return s3().listMultipartUploads(b -> b.bucket(S3.bucket())).uploads().stream()
                .map(u -> u.key() + " " + u.uploadId()).toList();
    }

    private byte[] stored() {
        try {
            return s3().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(KEY)).asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static S3Client s3() {
        return S3.server().client();
    }
}
