package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.multipart.PartSizes;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.source.SourceStat;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Objects above CopyObject's limit (S3: 5 GiB; lowered here to {@link #LIMIT} through the engine's
 * test seam) get their {@code md5chksum} by a multipart copy of the object onto itself: a Parts-task
 * object completed here, one completed by a sibling that crashed before setting it, and a resumed Copy
 * task's upload that was started for another version of the file. Each ends as the file's bytes with
 * the file's metadata, no multipart upload left, and passes the verification of any copy.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class LargeObjectMetadataIT {
    static final int PART = 5 * 1024 * 1024;
    /** Eight parts of 5 MiB, the last one short: above the lowered limit. */
    static final int SIZE = 7 * PART + 654_321;
    static final long LIMIT = 12L << 20;
    static final String PATH = "data/huge.bin";
    static final String KEY = "parts/" + PATH;
    static final String[] PODS = {"pod-uid-a", "pod-uid-b", "pod-uid-c"};

    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("large-it");

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
            workers.add(new LocalWorker(client, source, pod, j -> S3ClientFactory.forJob(client, j),
                    engine -> engine.copyObjectLimit = LIMIT));
        }
        job = TestResources.job("job-" + S3.bucket(), S3.server().endpoint(), S3.bucket(), "parts");
        job.getSpec().workers.partSize = "5Mi";
        job.getSpec().workers.concurrency = 3;
        job = TestResources.create(client, job);
        file = Trees.write(source, PATH, Trees.randomBytes(SIZE, 21));
        // what the plan does before it creates the tasks: the upload carries the mtime only
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
    void aPartsTaskObjectAboveTheCopyObjectLimitGetsItsMd5chksumAndPassesVerification() throws Exception {
        run(1, PODS[0]);
        run(2, PODS[1]);
        run(3, PODS[2]); // sees every part: completes, sets md5chksum by a multipart copy, verifies
        assertThat(phase(3)).isEqualTo(TaskPhase.Succeeded);
        run(1, PODS[0]);

        assertThat(List.of(phase(1), phase(2), phase(3))).containsOnly(TaskPhase.Succeeded);
        assertThat(task(1).getStatus().progress.copied).isEqualTo(1);
        assertObjectIsTheFileWithItsMetadata();
    }

    @Test
    void anObjectASiblingCompletedWithoutMd5chksumGetsItFromTheNextHolder() throws Exception {
        // a sibling stored every part and completed, then crashed before it set md5chksum
        byte[] content = Files.readAllBytes(file);
        List<CompletedPart> parts = new ArrayList<>();
        for (int n = 1; n <= 8; n++) {
            byte[] data = range(content, n);
            int number = n;
            String eTag = s3().uploadPart(b -> b.bucket(S3.bucket()).key(KEY).uploadId(uploadId).partNumber(number)
                    .contentLength((long) data.length), RequestBody.fromBytes(data)).eTag();
            parts.add(CompletedPart.builder().partNumber(n).eTag(eTag).build());
        }
        s3().completeMultipartUpload(b -> b.bucket(S3.bucket()).key(KEY).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
        assertThat(head().metadata()).doesNotContainKey(ObjectMetadata.MD5);

        run(1, PODS[0]); // the upload is gone: the object is checked against the file, then md5chksum set

        assertThat(phase(1)).isEqualTo(TaskPhase.Succeeded);
        assertThat(task(1).getStatus().progress.copied).isEqualTo(1);
        assertObjectIsTheFileWithItsMetadata();
    }

    @Test
    void aResumedCopyUploadStartedForAnotherVersionGetsThisVersionsMetadata() throws Exception {
        byte[] content = Trees.randomBytes(SIZE, 22);
        Path other = Trees.write(source, "data/other.bin", content);
        String key = "data/other.bin";
        // an earlier holder started the upload for an older version (other mtime, other md5chksum) and
        // stored every part: the bytes are this version's, the metadata given at creation is not
        Map<String, String> stale = ObjectMetadata.of(java.nio.file.attribute.FileTime.fromMillis(1_000_000L),
                Trees.md5(new byte[] {1}));
        String left = s3().createMultipartUpload(b -> b.bucket(S3.bucket()).key(key).metadata(stale)).uploadId();
        for (int n = 1; n <= 8; n++) {
            byte[] data = range(content, n);
            int number = n;
            s3().uploadPart(b -> b.bucket(S3.bucket()).key(key).uploadId(left).partNumber(number)
                    .contentLength((long) data.length), RequestBody.fromBytes(data));
        }

        FileOutcome outcome;
        try (CopyEngine engine = engine()) {
            outcome = new FileCopier(engine).copy(key, other);
        }

        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(outcome.partsReused()).isEqualTo(8);
        assertObjectIsTheFileWithItsMetadata(key, other);
    }

    @Test
    void aMultipartCopyOfAnObjectChangedSinceItsETagWasReadFailsAndLeavesNothing() throws Exception {
        byte[] content = Trees.randomBytes(SIZE, 23);
        Map<String, String> before = Map.of(ObjectMetadata.MTIME, "1700000000");
        s3().putObject(b -> b.bucket(S3.bucket()).key("x.bin").metadata(before), RequestBody.fromBytes(content));
        String staleETag = "\"" + java.util.HexFormat.of().formatHex(Trees.md5(new byte[] {7})) + "\"";
        SourceStat stat = SourceStat.of(Trees.write(source, "x.bin", content));

        try (CopyEngine engine = engine()) {
            assertThatThrownBy(() -> Uploads.setWholeFileMd5(engine, "x.bin", stat, Trees.md5(content), staleETag,
                    PART))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(SelfCopy.isConflict(e)).isTrue());
        }

        assertThat(s3().headObject(b -> b.bucket(S3.bucket()).key("x.bin")).metadata()).isEqualTo(before);
        assertThat(s3().getObjectAsBytes(b -> b.bucket(S3.bucket()).key("x.bin")).asByteArray()).isEqualTo(content);
        assertThat(uploadsOf("x.bin")).as("the self-copy's upload is aborted").isEmpty();
    }

    @Test
    void theSelfCopyKeepsAValidPartSizeAndOtherwiseStaysWithinTheStoresLimits() {
        assertThat(PartSizes.copyPartSize(SIZE, PART)).isEqualTo(PART);
        assertThat(PartSizes.copyPartSize(SIZE, 1024)).as("below S3's 5 MiB").isEqualTo(PartSizes.S3_MIN);
        long fiveTiB = 5L << 40;
        assertThat(PartSizes.copyPartSize(fiveTiB, PART)).as("more than 10,000 parts")
                .satisfies(p -> assertThat(PartSizes.partCount(fiveTiB, p)).isLessThanOrEqualTo(PartSizes.MAX_PARTS))
                .isLessThanOrEqualTo(Uploads.COPY_OBJECT_LIMIT);
        assertThat(PartSizes.copyPartSize(fiveTiB, 6L << 30)).as("above 5 GiB")
                .isLessThanOrEqualTo(Uploads.COPY_OBJECT_LIMIT);
    }

    private void assertObjectIsTheFileWithItsMetadata() throws Exception {
        assertObjectIsTheFileWithItsMetadata(KEY, file);
    }

    private void assertObjectIsTheFileWithItsMetadata(String key, Path path) throws Exception {
        byte[] content = Files.readAllBytes(path);
        byte[] stored = s3().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asByteArray();
        assertThat(sha256(stored)).as("SHA-256 of the object").isEqualTo(sha256(content));
        SourceStat stat = SourceStat.of(path);
        HeadObjectResponse head = s3().headObject(b -> b.bucket(S3.bucket()).key(key));
        assertThat(head.metadata())
                .containsEntry(ObjectMetadata.MD5, Base64.getEncoder().encodeToString(Trees.md5(content)))
                .containsEntry(ObjectMetadata.MTIME, ObjectMetadata.formatMtime(Files.getLastModifiedTime(path)))
                .containsEntry(ObjectMetadata.MODE, Integer.toOctalString(stat.mode()));
        assertThat(uploadsOf(key)).as("no multipart upload left").isEmpty();
        try (CopyEngine engine = engine()) {
            // what any copy is verified by (rclone check reads the same md5chksum of a multipart object)
            assertThat(new ObjectVerifier(engine).mismatch(key,
                    new Uploads.Stored(content.length, Trees.md5(content), true))).isNull();
            assertThat(new ObjectVerifier(engine).mismatch(key,
                    new Uploads.Stored(content.length, Trees.md5(new byte[] {1}), true)))
                    .as("a different MD5 is told apart").isNotNull();
        }
    }

    private CopyEngine engine() {
        CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), CopyHooks.NONE);
        engine.copyObjectLimit = LIMIT;
        return engine;
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

    private static byte[] range(byte[] content, int n) {
        int from = (n - 1) * PART;
        return Arrays.copyOfRange(content, from, Math.min(content.length, from + PART));
    }

    private HeadObjectResponse head() {
        return s3().headObject(b -> b.bucket(S3.bucket()).key(KEY));
    }

    /** The unfinished uploads of {@code key} (the planned upload of {@link #KEY} is there in every test). */
    private List<String> uploadsOf(String key) {
        return s3().listMultipartUploads(b -> b.bucket(S3.bucket())).uploads().stream()
                .filter(u -> u.key().equals(key)).map(u -> u.key() + " " + u.uploadId()).toList();
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static S3Client s3() {
        return S3.server().client();
    }
}
