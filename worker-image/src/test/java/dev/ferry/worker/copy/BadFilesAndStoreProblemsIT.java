package dev.ferry.worker.copy;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.task.Backoff;
import dev.ferry.worker.testing.FaultyStore;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 11 on the worker: one bad file sinks nothing else, and a destination that cannot work as a
 * whole is not the task's failure. A {@link FaultyStore} in front of S3Proxy answers chosen requests as a
 * store that cannot keep one key, or that is full, would.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class BadFilesAndStoreProblemsIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("faults-it");
    static FaultyStore store;
    static int jobs;

    @TempDir
    Path source;
    LocalWorker worker;

    @BeforeAll
    static void startTheStoreStandIn() throws IOException {
        TestResources.installCrds(client);
        TestResources.createCredentials(client);
        store = FaultyStore.inFrontOf(S3.server().endpoint());
    }

    @AfterAll
    static void stopTheStoreStandIn() throws IOException {
        store.close();
    }

    @BeforeEach
    void newWorker() {
        worker = new LocalWorker(client, source, POD_UID);
    }

    @AfterEach
    void closeWorkerAndForgetFaults() {
        worker.close();
        store.clear();
    }

    /** (a) A key the store answers 500 to every time: that file fails after its tries, the rest is copied. */
    @Test
    void aFileTheStoreKeepsFailingIsReportedAfterItsTriesAndEveryOtherFileIsCopied() {
        Map<String, byte[]> tree = files(12);
        tree.put("d/bad.bin", Trees.randomBytes(3000, 99));
        tree.putAll(files(12, "after"));
        FaultyStore.Fault bad = store.answer("PUT", "/d/bad\\.bin$", 500, "InternalError",
                "We encountered an internal error. Please try again.");
        String task = copyTask(job(store.endpoint(), S3.bucket()), tree);

        long started = System.nanoTime();
        worker.run(task);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        MigrationTaskStatus status = TestResources.task(client, task).getStatus();
        assertThat(status.phase).as(status.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(status.progress.copied).isEqualTo(tree.size() - 1);
        assertThat(status.progress.failed).isEqualTo(1);
        assertThat(status.progress.copied + status.progress.skipped + status.progress.failed).isEqualTo(tree.size());
        assertThat(status.failures).singleElement().satisfies(f -> {
            assertThat(f.path).isEqualTo("d/bad.bin");
            assertThat(f.code).isEqualTo(FailureCode.S3_SERVER_ERROR.name());
            assertThat(f.message).contains("InternalError").contains(Backoff.FILE_TRIES + " tries");
        });
        assertThat(status.attemptsOrZero()).isZero();
        assertThat(status.storeError).isNull();
        assertThat(bad.answered()).as("every try of the file reached the store").isGreaterThanOrEqualTo(Backoff.FILE_TRIES);
        assertThat(took).as("the tries are spread over the backoff").isGreaterThanOrEqualTo(Duration.ofSeconds(12));
        tree.keySet().stream().filter(p -> !p.equals("d/bad.bin"))
                .forEach(p -> assertThat(storedMd5(p)).as(p).isEqualTo(Trees.md5(tree.get(p))));
        assertThat(keys()).doesNotContain("data/d/bad.bin").filteredOn(k -> k.contains("/.ferry/"))
                .as("the only state object: the task's failure log, for the failure report")
                .singleElement().asString().contains("/failures/" + task + "/");
    }

    /** A part the store fails twice is sent again on its own: the file is copied, nothing else is sent twice. */
    @Test
    void aPartThatFailsASecondTimeIsSentAgainWithoutTheFile() {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        tree.put("big/eighteen-mib.bin", Trees.randomBytes(18 * 1024 * 1024 + 5, 7));
        FaultyStore.Fault flaky = store.answer("PUT", "/big/eighteen-mib\\.bin\\?.*partNumber=2", 503, "SlowDown",
                "Please reduce your request rate.", 4);
        MigrationJob job = job(store.endpoint(), S3.bucket());
        String task = copyTask(job, tree);

        worker.run(task);

        MigrationTaskStatus status = TestResources.task(client, task).getStatus();
        assertThat(status.phase).as(status.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(status.progress.copied).isEqualTo(1);
        assertThat(status.progress.failed).isZero();
        assertThat(status.progress.partsUploaded).as("4 parts, each sent once by the task").isEqualTo(4);
        assertThat(flaky.answered()).isEqualTo(4);
        assertThat(storedMd5("big/eighteen-mib.bin")).isEqualTo(Trees.md5(tree.get("big/eighteen-mib.bin")));
    }

    /** A Parts task: a part the store keeps failing is tried on its own, then the file fails with its code. */
    @Test
    void aPartOfAPartsTaskThatKeepsFailingFailsItsFileWhichIsReportedAndTheTaskSucceeds() throws Exception {
        HugeFile huge = hugeFileInItsUpload("huge/split.bin", 8);
        String task = huge.partsTask(1, 1, 3);
        TestResources.assign(client, task, POD_UID);
        FaultyStore.Fault bad = store.answer("PUT", "/huge/split\\.bin\\?.*partNumber=2", 500, "InternalError",
                "We encountered an internal error. Please try again.");

        worker.run(task);

        MigrationTaskStatus status = TestResources.task(client, task).getStatus();
        assertThat(status.phase).as(status.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(status.message).startsWith(FailureCode.S3_SERVER_ERROR.name());
        assertThat(status.progress.failed).isEqualTo(1);
        assertThat(status.progress.copied).isZero();
        assertThat(status.failures).extracting(f -> f.code).containsExactly(FailureCode.S3_SERVER_ERROR.name());
        assertThat(status.attemptsOrZero()).isZero();
        assertThat(bad.answered()).as("the part was tried on its own").isGreaterThanOrEqualTo(Backoff.FILE_TRIES);
        assertThat(S3.server().client().listMultipartUploads(b -> b.bucket(S3.bucket())).uploads())
                .as("the upload of the failed file is aborted").isEmpty();
    }

    /**
     * A sibling Parts task whose file failed and whose store refuses to abort the upload does not end: the
     * task with part 1 would wait for its range for ever. Tried again, it ends once the abort goes through,
     * and the task with part 1 then finds the upload gone and reports the file.
     */
    @Test
    void aSiblingWhoseFileFailedEndsOnlyOnceItsUploadIsAbortedSoTheTaskWithPartOneDoesNotWaitForEver() throws Exception {
        HugeFile huge = hugeFileInItsUpload("huge/stuck.bin", 10);
        String first = huge.partsTask(1, 1, 1);
        String sibling = huge.partsTask(2, 2, 3);
        store.answer("PUT", "/huge/stuck\\.bin\\?.*partNumber=2", 400, "InvalidArgument", "Refused.");
        FaultyStore.Fault noAbort = store.answer("DELETE", "/huge/stuck\\.bin\\?.*uploadId=", 403, "AccessDenied",
                "Access Denied");
        TestResources.assign(client, sibling, POD_UID);

        worker.run(sibling);

        MigrationTaskStatus refused = TestResources.task(client, sibling).getStatus();
        assertThat(refused.phase).as(refused.message).isEqualTo(TaskPhase.Pending);
        assertThat(refused.attemptsOrZero()).isEqualTo(1);
        assertThat(refused.message).contains("could not be aborted");
        assertThat(noAbort.answered()).isPositive();

        noAbort.remove();
        TestResources.assign(client, sibling, POD_UID);
        worker.run(sibling);
        MigrationTaskStatus ended = TestResources.task(client, sibling).getStatus();
        assertThat(ended.phase).as(ended.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(ended.message).startsWith(FailureCode.S3_REJECTED.name());
        assertThat(S3.server().client().listMultipartUploads(b -> b.bucket(S3.bucket())).uploads()).isEmpty();

        TestResources.assign(client, first, POD_UID);
        worker.run(first);
        MigrationTaskStatus counted = TestResources.task(client, first).getStatus();
        assertThat(counted.phase).as(counted.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(counted.progress.failed).as("the task with part 1 reports the file").isEqualTo(1);
    }

    /**
     * A listing of uploads that leaves out the upload of a Parts task, as S3Proxy's filesystem store does
     * now and then while a sibling writes a part: the upload is not taken as gone (the file would be
     * reported lost, and the task with part 1 wait for parts that never come); the range is stored.
     */
    @Test
    void aListingOfUploadsThatMissesTheUploadForAMomentDoesNotLoseTheFile() throws Exception {
        HugeFile huge = hugeFileInItsUpload("huge/listed.bin", 9);
        String task = huge.partsTask(1, 1, 3);
        TestResources.assign(client, task, POD_UID);
        String noUploads = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListMultipartUploadsResult"
                + " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>" + S3.bucket() + "</Bucket>"
                + "<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads>"
                + "<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>";
        FaultyStore.Fault missing = store.answerOk("GET", "[?&]uploads(&|=|$)", "application/xml", noUploads, 2);

        worker.run(task);

        MigrationTaskStatus status = TestResources.task(client, task).getStatus();
        assertThat(status.phase).as(status.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(status.progress.copied).as(status.message).isEqualTo(1);
        assertThat(status.progress.failed).isZero();
        assertThat(storedMd5("huge/listed.bin")).isEqualTo(Trees.md5(Files.readAllBytes(huge.file())));
        assertThat(missing.answered()).as("listings that left the upload out").isEqualTo(2);
    }

    /** (b) A full store sends the task back to wait without an attempt; once it takes writes, all is copied. */
    @Test
    void aFullStoreSendsTheTaskBackToWaitWithoutUsingAnAttemptAndTheNextRunCopiesEverything() {
        Map<String, byte[]> tree = files(30);
        FaultyStore.Fault quota = store.answer("PUT", "/", 403, "QuotaExceeded", "The quota has been exceeded.");
        String task = copyTask(job(store.endpoint(), S3.bucket()), tree);

        worker.run(task);

        MigrationTaskStatus waiting = TestResources.task(client, task).getStatus();
        assertThat(waiting.phase).isEqualTo(TaskPhase.Pending);
        assertThat(waiting.attemptsOrZero()).as("no attempt used").isZero();
        assertThat(waiting.storeError).isNotNull();
        assertThat(waiting.storeError.code).isEqualTo(FailureCode.S3_QUOTA_EXCEEDED.name());
        assertThat(waiting.storeError.message).contains("QuotaExceeded").contains("The quota has been exceeded.");
        assertThat(Instant.parse(waiting.storeError.time)).isBefore(Instant.now().plusSeconds(1));
        assertThat(Instant.parse(waiting.notBefore)).isAfter(Instant.now().plusSeconds(5))
                .isBefore(Instant.now().plus(Backoff.AFTER_STORE_PROBLEM).plusSeconds(1));
        assertThat(waiting.message).startsWith(FailureCode.S3_QUOTA_EXCEEDED.name());
        assertThat(waiting.failures).as("no file recorded failed").isNull();
        assertThat(waiting.progress.failed).isZero();
        assertThat(waiting.progress.checkpoint).isEqualTo("0");
        assertThat(quota.answered()).isPositive();

        quota.remove();
        TestResources.assign(client, task, POD_UID);
        worker.run(task);

        MigrationTaskStatus done = TestResources.task(client, task).getStatus();
        assertThat(done.phase).as(done.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.progress.copied).isEqualTo(tree.size());
        assertThat(done.progress.failed).isZero();
        assertThat(done.attemptsOrZero()).isZero();
        assertThat(done.storeError).as("cleared once the task moved again").isNull();
        assertThat(done.progressTime).isNotNull();
        tree.forEach((path, content) -> assertThat(storedMd5(path)).as(path).isEqualTo(Trees.md5(content)));
    }

    /** MinIO's "no space" answers count as quota too: the task waits, no file fails. */
    @Test
    void aStoreWithoutSpaceIsAQuotaProblemToo() {
        store.answer("PUT", "/", 507, "XMinioStorageFull", "Storage backend has reached its minimum free drive threshold.");
        String task = copyTask(job(store.endpoint(), S3.bucket()), files(5));

        worker.run(task);

        MigrationTaskStatus waiting = TestResources.task(client, task).getStatus();
        assertThat(waiting.phase).isEqualTo(TaskPhase.Pending);
        assertThat(waiting.storeError.code).isEqualTo(FailureCode.S3_QUOTA_EXCEEDED.name());
        assertThat(waiting.attemptsOrZero()).isZero();
        assertThat(waiting.failures).isNull();
    }

    /** (c) A bucket that does not exist: the task waits for it without an attempt, and goes on once it exists. */
    @Test
    void aMissingBucketSendsTheTaskBackToWaitWithoutUsingAnAttempt() {
        String bucket = S3.bucket() + "-missing";
        Map<String, byte[]> tree = files(8);
        String task = copyTask(job(S3.server().endpoint(), bucket), tree);

        worker.run(task);

        MigrationTaskStatus waiting = TestResources.task(client, task).getStatus();
        assertThat(waiting.phase).isEqualTo(TaskPhase.Pending);
        assertThat(waiting.attemptsOrZero()).isZero();
        assertThat(waiting.storeError.code).isEqualTo(FailureCode.S3_NO_SUCH_BUCKET.name());
        assertThat(waiting.storeError.message).contains("NoSuchBucket");
        assertThat(waiting.failures).isNull();

        S3.server().createBucket(bucket);
        TestResources.assign(client, task, POD_UID);
        worker.run(task);

        MigrationTaskStatus done = TestResources.task(client, task).getStatus();
        assertThat(done.phase).as(done.message).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.progress.copied).isEqualTo(tree.size());
        assertThat(done.storeError).isNull();
    }

    /** No endpoint answers at all: the store is out, not the files; the task waits without an attempt. */
    @Test
    void aStoreThatCannotBeReachedSendsTheTaskBackToWaitWithoutUsingAnAttempt() throws IOException {
        URI nobody;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        String task = copyTask(job(nobody, S3.bucket()), files(4));

        worker.run(task);

        MigrationTaskStatus waiting = TestResources.task(client, task).getStatus();
        assertThat(waiting.phase).isEqualTo(TaskPhase.Pending);
        assertThat(waiting.attemptsOrZero()).isZero();
        assertThat(waiting.storeError.code).isEqualTo(FailureCode.S3_UNREACHABLE.name());
        assertThat(waiting.failures).isNull();
    }

    /** A file of three 5 MiB parts at {@code path}, its job through the proxy and the upload the plan created for it. */
    private HugeFile hugeFileInItsUpload(String path, int seed) throws IOException {
        Path file = Trees.write(source, path, Trees.randomBytes(2 * HugeFile.PART + 1234, seed));
        MigrationJob job = job(store.endpoint(), S3.bucket());
        Map<String, String> planned = ObjectMetadata.of(Files.getLastModifiedTime(file), null);
        String uploadId = S3.server().client().createMultipartUpload(b -> b.bucket(S3.bucket()).key("data/" + path)
                .metadata(planned)).uploadId();
        FileEntry entry = new FileEntry(path, Files.size(file), Files.getLastModifiedTime(file).toMillis());
        return new HugeFile(job, file, entry, uploadId);
    }

    private record HugeFile(MigrationJob job, Path file, FileEntry entry, String uploadId) {
        static final int PART = 5 * 1024 * 1024;

        /** Creates the plan's n-th task: the Parts task of parts {@code first..last} of the three. */
        String partsTask(int n, int first, int last) {
            String name = job.getMetadata().getName() + "-plan-0000" + n;
            PartsTaskSpecs.create(client, job, name, entry, PART, first, last, 3, uploadId);
            return name;
        }
    }

    private MigrationJob job(URI endpoint, String bucket) {
        MigrationJob job = TestResources.job("faults-" + (++jobs), endpoint, bucket, "/data/");
        job.getMetadata().setUid(UUID.randomUUID().toString());
        job.getSpec().workers.partSize = "5Mi";
        job.getSpec().workers.concurrency = 3;
        return TestResources.create(client, job);
    }

    private String copyTask(MigrationJob job, Map<String, byte[]> tree) {
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

    private static Map<String, byte[]> files(int count) {
        return files(count, "f");
    }

    private static Map<String, byte[]> files(int count, String directory) {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            tree.put(directory + "/file-" + i + ".txt", Trees.randomBytes(100 + 37 * i, directory.hashCode() + i));
        }
        return tree;
    }

    private static byte[] storedMd5(String path) {
        return Trees.md5(Trees.readAll(S3.server().client().getObject(b -> b.bucket(S3.bucket()).key("data/" + path))));
    }

    private static List<String> keys() {
        ListObjectsV2Response listing = S3.server().client().listObjectsV2(b -> b.bucket(S3.bucket()));
        return listing.contents().stream().map(S3Object::key).toList();
    }
}
