package dev.ferry.worker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.AuditMode;
import dev.ferry.api.AuditResult;
import dev.ferry.api.FailureCode;
import dev.ferry.api.FailureReportLine;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.VerifyMode;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.manifest.StatePrefix;
import dev.ferry.worker.metrics.S3Metrics;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.testing.FaultyStore;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The audit before a job ends trusts no bookkeeping: a job is planned and copied by a real worker into
 * S3Proxy, its tasks all Succeeded; then the destination is damaged behind the tasks' backs, and the
 * Audit task finds it from the plan's manifests and a listing of the store alone, copies once more what
 * is missing or different, reports what it cannot put right, writes the failure report and clears the
 * state prefix but for the report.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class AuditIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("audit-it");

    @TempDir
    Path source;
    LocalWorker worker;
    MigrationJob job;
    /** The worker's S3 calls, counted by operation. */
    final MeterRegistry requests = new SimpleMeterRegistry();

    @BeforeAll
    static void installCrdsAndCredentials() {
        TestResources.installCrds(client);
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void aTreeOfTwelveFiles() throws Exception {
        for (String directory : List.of("a", "a/b", "c")) {
            Files.createDirectories(source.resolve(directory));
            for (int i = 1; i <= 4; i++) {
                Files.writeString(source.resolve(directory + "/f" + i + ".txt"), directory + " file " + i);
            }
        }
        worker = new LocalWorker(client, source, TestResources.POD_UID,
                job -> S3ClientFactory.forJob(client, job, null, new S3Metrics(requests)));
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    @Test
    void findsWhatTheDestinationLostCopiesItOnceMoreAndReportsWhatItCannotPutRight() throws Exception {
        migrate(spec -> spec.verify = VerifyMode.Size);
        assertThat(stateKeys("manifests/")).as("the plan's record of each of its 6 tasks, kept for the audit").hasSize(6);
        // Behind the bookkeeping: one object deleted, one replaced by other bytes, and one deleted whose
        // file is gone from the source too.
        s3().deleteObject(b -> b.bucket(S3.bucket()).key("p/a/f1.txt"));
        s3().putObject(b -> b.bucket(S3.bucket()).key("p/a/b/f2.txt"), RequestBody.fromString("not what was copied"));
        s3().deleteObject(b -> b.bucket(S3.bucket()).key("p/c/f3.txt"));
        Files.delete(source.resolve("c/f3.txt"));

        MigrationTask audit = runAudit();

        assertThat(audit.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        AuditResult result = audit.getStatus().audit;
        assertThat(result.mode).isEqualTo(AuditMode.Plan);
        assertThat(result.checked).isEqualTo(12);
        assertThat(result.manifests).isEqualTo(6);
        assertThat(result.missing).isEqualTo(2);
        assertThat(result.different).isEqualTo(1);
        assertThat(result.recopied).isEqualTo(2);
        assertThat(result.reported).isEqualTo(1);
        assertThat(result.completionTime).isNotNull();
        assertThat(object("p/a/f1.txt")).isEqualTo("a file 1");
        assertThat(object("p/a/b/f2.txt")).isEqualTo("a/b file 2");

        assertThat(result.failureReport).isEqualTo(StatePrefix.failureReport(job));
        List<FailureReportLine> report = report(result.failureReport);
        assertThat(result.reportLines).isEqualTo(3);
        assertThat(report).extracting(l -> l.path + " " + l.audit + " " + l.recopied + " " + l.code)
                .containsExactlyInAnyOrder(
                        "a/f1.txt MISSING true AUDIT_MISSING",
                        "a/b/f2.txt DIFFERENT true AUDIT_MISMATCH",
                        "c/f3.txt MISSING false SOURCE_VANISHED");
        assertThat(report).allSatisfy(line -> {
            assertThat(line.task).startsWith(job.getMetadata().getName() + "-plan");
            assertThat(line.holder).isEqualTo(TestResources.POD_NAME);
            assertThat(line.attempts).as("the task still exists").isNotNull();
        });
        assertThat(stateKeys("")).as("only the report stays under the state prefix").containsExactly("failure-report.jsonl");
    }

    @Test
    void passesAJobWhoseDestinationIsWholeAndLeavesNoStateBehind() throws Exception {
        migrate(spec -> { });

        MigrationTask audit = runAudit();

        AuditResult result = audit.getStatus().audit;
        assertThat(result.checked).isEqualTo(12);
        assertThat(result.missing + result.different + result.recopied + result.reported).isZero();
        assertThat(result.laterVersions).isNull();
        assertThat(result.failureReport).isNull();
        assertThat(result.reportLines).isZero();
        assertThat(result.leftOutReport).as("nothing was left out").isNull();
        assertThat(result.leftOutLines).isNull();
        assertThat(audit.getStatus().message).contains("checked 12 planned files").contains("nothing to report");
        assertThat(stateKeys("")).isEmpty();
    }

    @Test
    void aFileThatChangedAfterItWasPlannedIsRightWhenItsObjectHoldsALaterVersionAndDifferentWhenNot() throws Exception {
        // a/f1.txt appended to between its planning and its copy (a log being written): the copy stores the
        // file as it read it, whole, with its mtime; a/f2.txt's object is replaced behind the bookkeeping by
        // other bytes that claim the planned mtime.
        migrate(spec -> spec.verify = VerifyMode.Checksum, 7, S3.server().endpoint(), () -> {
            Files.writeString(source.resolve("a/f1.txt"), " and a line written later", StandardOpenOption.APPEND);
            Files.setLastModifiedTime(source.resolve("a/f1.txt"), FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        });
        assertThat(object("p/a/f1.txt")).isEqualTo("a file 1 and a line written later");
        String plannedMtime = s3().headObject(b -> b.bucket(S3.bucket()).key("p/a/f2.txt")).metadata().get("mtime");
        s3().putObject(b -> b.bucket(S3.bucket()).key("p/a/f2.txt").metadata(Map.of("mtime", plannedMtime)),
                RequestBody.fromString("other bytes, longer than the file"));

        MigrationTask audit = runAudit();

        AuditResult result = audit.getStatus().audit;
        assertThat(result.checked).isEqualTo(12);
        assertThat(audit.getStatus().message).contains("1 changed after planning (their objects hold the later version)");
        assertOneLaterVersionAndOnlyThisDifferentPutRight(result, "a/f2.txt");
        assertThat(object("p/a/f1.txt")).as("not copied again").isEqualTo("a file 1 and a line written later");
        assertThat(object("p/a/f2.txt")).isEqualTo("a file 2");
    }

    @Test
    void aFileReplacedAfterItWasPlannedByOneWithAnOlderMtimeIsRightWhenItsObjectIsTheFileAsItIsNow() throws Exception {
        // a/f1.txt restored over between its planning and its copy (cp -p): other bytes, another size, and
        // an mtime a day earlier than the planned one. The copy stores it as it is now. c/f1.txt's object is
        // then replaced behind the bookkeeping by bytes of another size that claim the file's mtime: the
        // file now is not that object.
        migrate(spec -> spec.verify = VerifyMode.Size, 7, S3.server().endpoint(), () -> {
            Path restored = source.resolve("a/f1.txt");
            FileTime planned = Files.getLastModifiedTime(restored);
            Files.writeString(restored, "a file 1, as it was last week");
            Files.setLastModifiedTime(restored, FileTime.fromMillis(planned.toMillis() - 86_400_000L));
        });
        assertThat(object("p/a/f1.txt")).isEqualTo("a file 1, as it was last week");
        String mtime = s3().headObject(b -> b.bucket(S3.bucket()).key("p/c/f1.txt")).metadata().get("mtime");
        s3().putObject(b -> b.bucket(S3.bucket()).key("p/c/f1.txt").metadata(Map.of("mtime", mtime)),
                RequestBody.fromString("c file 1 and more"));

        AuditResult result = runAudit().getStatus().audit;

        assertOneLaterVersionAndOnlyThisDifferentPutRight(result, "c/f1.txt");
        assertThat(object("p/a/f1.txt")).as("not copied again").isEqualTo("a file 1, as it was last week");
        assertThat(object("p/c/f1.txt")).isEqualTo("c file 1");
    }

    /**
     * a/f1.txt counted as changed after planning (its object holds a later version: not reported), and
     * {@code different} the only object found different, copied again and found right.
     */
    private void assertOneLaterVersionAndOnlyThisDifferentPutRight(AuditResult result, String different) throws Exception {
        assertThat(result.laterVersions).as("a/f1.txt: counted, not reported").isEqualTo(1);
        assertThat(result.missing).isZero();
        assertThat(result.different).as(different + " only: its object is no later version of its file").isEqualTo(1);
        assertThat(result.recopied).isEqualTo(1);
        assertThat(result.reported).isZero();
        assertThat(report(result.failureReport)).extracting(l -> l.path + " " + l.audit + " " + l.recopied)
                .containsExactly(different + " DIFFERENT true");
    }

    @Test
    void findsObjectsWhoseNamesEndInCharactersOutsideTheBasicPlane() throws Exception {
        Files.createDirectories(source.resolve("e"));
        Files.writeString(source.resolve("e/\uD83D\uDE00"), "a smile");
        Files.writeString(source.resolve("e/\uD83D\uDE00\uD83D\uDE01"), "two");
        migrate(spec -> spec.verify = VerifyMode.Size, 8);

        AuditResult result = runAudit().getStatus().audit;

        assertThat(result.checked).isEqualTo(14);
        assertThat(result.missing + result.different + result.reported).isZero();
    }

    @Test
    void theFoldersOfAManifestAreListedSideBySideAtMostEightAtOnceAndEveryFindingIsKept() throws Exception {
        for (int d = 1; d <= 24; d++) {
            Path folder = Files.createDirectories(source.resolve(String.format("many/d%02d", d)));
            Files.writeString(folder.resolve("x.txt"), "x " + d);
            Files.writeString(folder.resolve("y.txt"), "y " + d);
        }
        try (FaultyStore store = FaultyStore.inFrontOf(S3.server().endpoint())) {
            migrate(spec -> spec.tasks.maxFiles = 100, 2, store.endpoint());
            List<String> lost = List.of("p/many/d01/x.txt", "p/many/d05/y.txt", "p/many/d09/x.txt", "p/many/d13/y.txt",
                    "p/many/d17/x.txt", "p/many/d24/y.txt");
            lost.forEach(key -> s3().deleteObject(b -> b.bucket(S3.bucket()).key(key)));
            // A store 200 ms away for every listing of these 24 folders: one after the other, they take 5 s.
            FaultyStore.Fault slowListings = store.delay("GET", "list-type=2.*prefix=p/many/|prefix=p/many/.*list-type=2",
                    200);

            AuditResult result = runAudit().getStatus().audit;

            assertThat(result.checked).isEqualTo(60);
            assertThat(result.missing).isEqualTo(6);
            assertThat(result.recopied).isEqualTo(6);
            assertThat(result.different + result.reported).isZero();
            assertThat(report(result.failureReport)).extracting(line -> "p/" + line.path).containsExactlyInAnyOrderElementsOf(lost);
            assertThat(slowListings.mostAtOnce()).as("listings in flight at once")
                    .isGreaterThan(1).isLessThanOrEqualTo(AuditRunner.FOLDERS_IN_FLIGHT);
        }
    }

    @Test
    void withVerifyChecksumAnObjectStoredByOnePutIsProvedByItsListedETagWithoutARequestOfItsOwn() throws Exception {
        migrate(spec -> spec.verify = VerifyMode.Checksum);
        long heads = requests("HeadObject");
        long listings = requests("ListObjectsV2");

        AuditResult result = runAudit().getStatus().audit;

        assertThat(result.checked).isEqualTo(12);
        assertThat(result.missing + result.different + result.reported).isZero();
        assertThat(requests("HeadObject") - heads)
                .as("each ETag is the MD5 the store computed over its bytes, checked against Content-MD5 at the PUT")
                .isZero();
        assertThat(requests("ListObjectsV2") - listings).as("a listing per folder of each manifest").isPositive();
    }

    @Test
    void withVerifyChecksumAnObjectWhoseETagIsNotAnMd5IsReadWithHeadAndNeedsItsRecordedMd5() throws Exception {
        try (FaultyStore store = FaultyStore.inFrontOf(S3.server().endpoint())) {
            migrate(spec -> spec.verify = VerifyMode.Checksum, store.endpoint());
            // The same bytes, put again behind the bookkeeping without md5chksum; and a store that lists the
            // folder's objects with composite ETags, as S3 does for objects uploaded in parts (S3Proxy
            // gives every object the MD5 of its bytes): such an ETag says nothing of the content.
            String key = "p/c/f2.txt";
            s3().putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromString("c file 2"));
            FaultyStore.Fault listings = store.answerOk("GET", "list-type=2.*prefix=p/c/&|prefix=p/c/&.*list-type=2", "application/xml",
                    listingWithCompositeETags("p/c/"), Integer.MAX_VALUE);
            long heads = requests("HeadObject");

            AuditResult result = runAudit().getStatus().audit;

            assertThat(listings.answered()).as("the folder's listings, answered with composite ETags").isPositive();
            assertThat(result.checked).isEqualTo(12);
            assertThat(result.different).as(key + " lacks its recorded MD5").isEqualTo(1);
            assertThat(result.recopied).isEqualTo(1);
            assertThat(result.reported).as("copied again, with md5chksum, and found right").isZero();
            assertThat(requests("HeadObject") - heads).as("a HEAD for each of the 4 objects, and again after the copy")
                    .isGreaterThanOrEqualTo(5);
            assertThat(s3().headObject(b -> b.bucket(S3.bucket()).key(key)).metadata()).containsKey("md5chksum");
            assertThat(object(key)).isEqualTo("c file 2");
        }
    }

    @Test
    void auditingTheSourceWalksTheTreeAgainAndFindsAFileThePlanNeverSaw() throws Exception {
        migrate(spec -> {
            spec.audit = AuditMode.Source;
            spec.verify = VerifyMode.Size;
        });
        assertThat(stateKeys("manifests/")).as("no extra records: the source is the reference").isEmpty();
        Files.writeString(source.resolve("c/late.txt"), "written after planning");
        s3().deleteObject(b -> b.bucket(S3.bucket()).key("p/a/f1.txt"));

        MigrationTask audit = runAudit();

        AuditResult result = audit.getStatus().audit;
        assertThat(result.mode).isEqualTo(AuditMode.Source);
        assertThat(result.checked).isEqualTo(13);
        assertThat(result.missing).isEqualTo(2);
        assertThat(result.recopied).isEqualTo(2);
        assertThat(result.reported).isZero();
        assertThat(audit.getStatus().progress.checkpoint).as("the last path walked").isEqualTo("c/late.txt");
        assertThat(object("p/c/late.txt")).isEqualTo("written after planning");
        assertThat(object("p/a/f1.txt")).isEqualTo("a file 1");
        assertThat(report(result.failureReport)).extracting(l -> l.path + " " + l.audit + " " + l.recopied)
                .containsExactlyInAnyOrder("a/f1.txt MISSING true", "c/late.txt MISSING true");
    }

    @Test
    void auditingTheSourceWithChecksumsReadsEveryFileAgainAndCatchesAnObjectConsistentWithItself() throws Exception {
        migrate(spec -> {
            spec.audit = AuditMode.Source;
            spec.verify = VerifyMode.Checksum;
        });
        // The store's ETag and md5chksum agree, so only the file itself tells.
        putConsistentWithItself("p/c/f2.txt", "c file X");

        AuditResult result = runAudit().getStatus().audit;

        assertThat(result.checked).isEqualTo(12);
        assertThat(result.different).isEqualTo(1);
        assertThat(result.recopied).isEqualTo(1);
        assertThat(object("p/c/f2.txt")).isEqualTo("c file 2");
    }

    @Test
    void auditingTheSourceWithChecksumsOnAStoreThatEncryptsWithKmsComparesTheRecordedMd5NotTheETag() throws Exception {
        try (FaultyStore store = FaultyStore.inFrontOf(S3.server().endpoint())) {
            migrate(AuditIT::auditTheSourceWithChecksums, store.endpoint());
            putConsistentWithItself("p/c/f2.txt", "c file X");
            // S3 with SSE-KMS: a single PUT's ETag has the form of an MD5 but is not the MD5 of the data, and a
            // HEAD says how the object is encrypted.
            FaultyStore.Fault listings = listFolderCWithETagsThatAreNotMd5s(store, Integer.MAX_VALUE);
            FaultyStore.Fault encrypted = store.addHeader("HEAD", "/p/c/", "x-amz-server-side-encryption: aws:kms");

            AuditResult result = runAudit().getStatus().audit;

            assertThat(listings.answered()).isPositive();
            assertThat(encrypted.answered()).as("a HEAD for each object whose ETag is not the file's MD5").isPositive();
            assertThat(result.checked).isEqualTo(12);
            assertThat(result.different).as("only the forged object: the others' md5chksum is their file's MD5")
                    .isEqualTo(1);
            assertThat(result.recopied).isEqualTo(1);
            assertThat(result.reported).isZero();
            assertThat(object("p/c/f2.txt")).isEqualTo("c file 2");
        }
    }

    @Test
    void auditingTheSourceWithChecksumsReportsAnETagThatIsNotTheFilesMd5OnAStoreThatDoesNotEncrypt() throws Exception {
        try (FaultyStore store = FaultyStore.inFrontOf(S3.server().endpoint())) {
            migrate(AuditIT::auditTheSourceWithChecksums, store.endpoint());
            listFolderCWithETagsThatAreNotMd5s(store, 1);
            store.addHeader("HEAD", "/p/c/", "x-amz-server-side-encryption: AES256");

            AuditResult result = runAudit().getStatus().audit;

            assertThat(result.different).as("SSE-S3 keeps MD5s as ETags: the first listing's are wrong").isPositive();
            assertThat(result.reported).as("the next listing, after the copy, is the store's own").isZero();
        }
    }

    @Test
    void withoutTheComparisonTheReportNamesEveryFailedFileOfATaskBeyondItsStatusAndAfterItIsFoldedAway() throws Exception {
        List<String> refused = sixtyFilesTheStoreRefuses();
        try (FaultyStore store = FaultyStore.inFrontOf(S3.server().endpoint())) {
            MigrationTask copy = migrateWithoutAuditRefusingThem(store);
            assertThat(copy.getStatus().progress.failed).isEqualTo(60);
            assertThat(copy.getStatus().failures).hasSize(MigrationTaskStatus.MAX_FAILURES_IN_STATUS);
            client.resource(copy).delete(); // folded away, as the operator does beyond spec.tasks.historyLimit

            AuditResult result = runAudit().getStatus().audit;

            assertThat(result.reportLines).isEqualTo(60);
            List<FailureReportLine> report = report(result.failureReport);
            assertThat(report).extracting(l -> l.path).containsExactlyInAnyOrderElementsOf(refused);
            assertThat(report).allSatisfy(line -> {
                assertThat(line.code).isEqualTo(FailureCode.S3_REJECTED.name());
                assertThat(line.task).isEqualTo(copy.getMetadata().getName());
            });
        }
        assertThat(stateKeys("")).as("only the report stays under the state prefix").containsExactly("failure-report.jsonl");
    }

    @Test
    void failuresLoggedByAHolderThatDiedBeforeItsStatusCountedThemAreNotReportedOnceTheNextHolderCopiedTheFiles()
            throws Exception {
        sixtyFilesTheStoreRefuses();
        try (FaultyStore store = FaultyStore.inFrontOf(S3.server().endpoint())) {
            MigrationTask copy = migrateWithoutAuditRefusingThem(store);
            String name = copy.getMetadata().getName();
            assertThat(stateKeys("failures/" + name + "/")).isNotEmpty();
            // as if its holder had died before its first status write: the next holder starts from nothing
            TestResources.updateStatus(client, name, s -> {
                s.progress = null;
                s.failures = null;
            });
            store.clear(); // and the store takes those files this time
            TestResources.assign(client, name, TestResources.POD_UID);
            worker.run(name);
            assertThat(TestResources.task(client, name).getStatus().progress.copied).isEqualTo(72);
            client.resource(TestResources.task(client, name)).delete(); // folded: no status to count against

            AuditResult result = runAudit().getStatus().audit;

            assertThat(result.reportLines).as("the second holder's start disproves the first one's lines").isZero();
            assertThat(result.failureReport).isNull();
        }
    }

    @Test
    void theLeftOutReportNamesEveryEntryPlanningLeftOutBeyondThePlansStatusAndAfterItIsFoldedAway() throws Exception {
        List<String> links = sixtyLinks();
        migrate(spec -> { });
        MigrationTask plan = planTask();
        assertThat(plan.getStatus().progress.skipped).isEqualTo(60);
        assertThat(plan.getStatus().skippedEntries).hasSize(MigrationTaskStatus.MAX_FAILURES_IN_STATUS);
        client.resource(plan).delete(); // folded away, as the operator does with Succeeded plans

        AuditResult result = runAudit().getStatus().audit;

        assertThat(result.leftOutReport).isEqualTo(StatePrefix.leftOutReport(job));
        assertThat(result.leftOutLines).isEqualTo(60);
        List<FailureReportLine> report = report(result.leftOutReport);
        assertThat(report).extracting(l -> l.path).containsExactlyInAnyOrderElementsOf(links);
        assertThat(report).allSatisfy(line -> {
            assertThat(line.code).isEqualTo(FailureCode.SYMLINK_SKIPPED.name());
            assertThat(line.task).isEqualTo(plan.getMetadata().getName());
        });
        assertThat(result.failureReport).as("entries left out by policy are not failures").isNull();
        assertThat(result.reportLines).isZero();
        assertThat(stateKeys("")).as("only the left-out report stays under the state prefix")
                .containsExactly("left-out.jsonl");
    }

    @Test
    void entriesAPlanHolderThatDiedLoggedAreNotListedWhenTheNextHolderNoLongerFindsThem() throws Exception {
        List<String> links = sixtyLinks();
        migrate(spec -> { });
        String plan = planTask().getMetadata().getName();
        assertThat(stateKeys("left-out/" + plan + "/")).isNotEmpty();
        // as if its holder had died before its first status write, and the last ten links were removed meanwhile:
        // the first holder's lines 51 to 60 name them, and no line of the next holder replaces those ordinals
        for (String gone : links.subList(50, 60)) {
            Files.delete(source.resolve(gone));
        }
        TestResources.updateStatus(client, plan, s -> {
            s.progress = null;
            s.skippedEntries = null;
        });
        TestResources.assign(client, plan, TestResources.POD_UID);
        worker.run(plan);
        assertThat(planTask().getStatus().progress.skipped).isEqualTo(50);
        client.resource(planTask()).delete(); // folded: no status to count against

        AuditResult result = runAudit().getStatus().audit;

        assertThat(result.leftOutLines).as("the second holder's start disproves the first one's lines").isEqualTo(50);
        assertThat(report(result.leftOutReport)).extracting(l -> l.path)
                .containsExactlyInAnyOrderElementsOf(links.subList(0, 50));
    }

    @Test
    void aHolderThatResumesAuditsOnlyTheManifestsAfterItsCheckpoint() throws Exception {
        migrate(spec -> spec.verify = VerifyMode.Size);
        List<String> manifests = stateKeys("manifests/");
        String lost = firstPathOf(manifests.get(0));
        s3().deleteObject(b -> b.bucket(S3.bucket()).key("p/" + lost));
        // An earlier holder audited every manifest but the last, counted 10 files, and died.
        MigrationTask audit = createAudit();
        TestResources.updateStatus(client, audit.getMetadata().getName(), s -> {
            AuditResult earlier = new AuditResult();
            earlier.mode = AuditMode.Plan;
            earlier.manifests = 5L;
            earlier.checked = 10;
            earlier.startTime = "2026-12-01T00:00:00Z";
            s.audit = earlier;
            s.progress = new MigrationTaskStatus.Progress();
            s.progress.checkpoint = StatePrefix.manifests(job) + manifests.get(4).substring("manifests/".length());
        });
        TestResources.assign(client, audit.getMetadata().getName(), TestResources.POD_UID);

        worker.run(audit.getMetadata().getName());

        AuditResult result = TestResources.task(client, audit.getMetadata().getName()).getStatus().audit;
        assertThat(result.manifests).isEqualTo(6);
        assertThat(result.checked).isEqualTo(12);
        assertThat(result.startTime).as("the audit's start is kept").isEqualTo("2026-12-01T00:00:00Z");
        assertThat(result.missing).as(lost + " is in a manifest before the checkpoint").isZero();
    }

    /** Plans the tree into tasks of 2 files under prefix {@code p} and runs every task (the plan too: {@code tasks}) to its end. */
    private void migrate(Consumer<MigrationJobSpec> customize) {
        migrate(customize, 7);
    }

    private void migrate(Consumer<MigrationJobSpec> customize, int tasks) {
        migrate(customize, tasks, S3.server().endpoint());
    }

    /** As {@link #migrate(Consumer)}, through the store at {@code endpoint} (the audit too). */
    private void migrate(Consumer<MigrationJobSpec> customize, URI endpoint) {
        migrate(customize, 7, endpoint);
    }

    private void migrate(Consumer<MigrationJobSpec> customize, int tasks, URI endpoint) {
        migrate(customize, tasks, endpoint, () -> { });
    }

    /** As above, with {@code afterPlanning} run between the plan and the copies. */
    private void migrate(Consumer<MigrationJobSpec> customize, int tasks, URI endpoint, SourceChange afterPlanning) {
        MigrationJob spec = TestResources.job("job-" + S3.bucket(), endpoint, S3.bucket(), "p");
        spec.getSpec().tasks.maxFiles = 2;
        customize.accept(spec.getSpec());
        job = TestResources.create(client, spec);
        MigrationTask plan = TestResources.createPlanTask(client, job, "");
        TestResources.assign(client, plan.getMetadata().getName(), TestResources.POD_UID);
        worker.run(plan.getMetadata().getName());
        try {
            afterPlanning.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        for (MigrationTask task : tasks()) {
            if (task.getSpec().type == TaskType.Copy) {
                TestResources.assign(client, task.getMetadata().getName(), TestResources.POD_UID);
                worker.run(task.getMetadata().getName());
            }
        }
        assertThat(tasks()).hasSize(tasks).allSatisfy(t -> assertThat(t.getStatus().phase).isEqualTo(TaskPhase.Succeeded));
    }

    /** A change to the source tree. */
    @FunctionalInterface
    private interface SourceChange {
        void run() throws Exception;
    }

    /** Sixty symbolic links under {@code links/}, to files of the tree: left out under the default policy (Skip). */
    private List<String> sixtyLinks() throws Exception {
        Files.createDirectories(source.resolve("links"));
        List<String> links = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            links.add(String.format("links/l%02d", i));
            Files.createSymbolicLink(source.resolve(links.get(i - 1)), source.resolve("a/f1.txt"));
        }
        return links;
    }

    private MigrationTask planTask() {
        return tasks().stream().filter(t -> t.getSpec().type == TaskType.Plan).findFirst().orElseThrow();
    }

    /** Files under {@code refused/} ({@link #migrateWithoutAuditRefusingThem} has the store refuse them). */
    private List<String> sixtyFilesTheStoreRefuses() throws Exception {
        Files.createDirectories(source.resolve("refused"));
        List<String> refused = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            refused.add("refused/r" + i + ".txt");
            Files.writeString(source.resolve("refused/r" + i + ".txt"), "refused " + i);
        }
        return refused;
    }

    /** The tree in one Copy task, {@code audit: None}, through {@code store} refusing every file under refused/. */
    private MigrationTask migrateWithoutAuditRefusingThem(FaultyStore store) {
        store.answer("PUT", "^/[^/]+/p/refused/", 400, "InvalidArgument", "Refused by the bucket's policy.");
        migrate(spec -> {
            spec.audit = AuditMode.None;
            spec.tasks.maxFiles = 100;
        }, 2, store.endpoint());
        return tasks().stream().filter(t -> t.getSpec().type == TaskType.Copy).findFirst().orElseThrow();
    }

    private static void auditTheSourceWithChecksums(MigrationJobSpec spec) {
        spec.audit = AuditMode.Source;
        spec.verify = VerifyMode.Checksum;
    }

    /** The first {@code times} listings of p/c/ with each ETag of MD5 form reversed: no longer the data's MD5. */
    private FaultyStore.Fault listFolderCWithETagsThatAreNotMd5s(FaultyStore store, int times) {
        return store.answerOk("GET", "list-type=2.*prefix=p/c/&|prefix=p/c/&.*list-type=2", "application/xml",
                listingWithETags("p/c/", eTag -> new StringBuilder(eTag).reverse().toString()), times);
    }

    /** Other bytes at {@code key}, behind the bookkeeping, with their own MD5 recorded as md5chksum. */
    private static void putConsistentWithItself(String key, String content) throws Exception {
        String md5 = java.util.Base64.getEncoder().encodeToString(
                java.security.MessageDigest.getInstance("MD5").digest(content.getBytes(StandardCharsets.UTF_8)));
        s3().putObject(b -> b.bucket(S3.bucket()).key(key).metadata(Map.of("md5chksum", md5)),
                RequestBody.fromString(content));
    }

    private MigrationTask runAudit() {
        MigrationTask audit = createAudit();
        TestResources.assign(client, audit.getMetadata().getName(), TestResources.POD_UID);
        worker.run(audit.getMetadata().getName());
        return TestResources.task(client, audit.getMetadata().getName());
    }

    private MigrationTask createAudit() {
        return TestResources.createAuditTask(client, job);
    }

    private List<MigrationTask> tasks() {
        return client.resources(MigrationTask.class).inNamespace(TestResources.NAMESPACE)
                .withLabel(Ferry.JOB_LABEL, job.getMetadata().getName()).list().getItems();
    }

    /** Keys under the job's state prefix and {@code folder}, relative to the state prefix. */
    private List<String> stateKeys(String folder) {
        String state = StatePrefix.of(job) + "/";
        return s3().listObjectsV2Paginator(b -> b.bucket(S3.bucket()).prefix(state + folder)).contents().stream()
                .map(S3Object::key).filter(k -> !k.endsWith("/")).map(k -> k.substring(state.length())).toList();
    }

    /** The first file of a manifest (a key relative to the state prefix). */
    private String firstPathOf(String manifest) throws Exception {
        String first = object(StatePrefix.of(job) + "/" + manifest).split("\n")[0];
        return new ObjectMapper().readTree(first).get("path").asText();
    }

    private String object(String key) {
        return s3().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asString(StandardCharsets.UTF_8);
    }

    private List<FailureReportLine> report(String key) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<FailureReportLine> lines = new ArrayList<>();
        for (String line : object(key).split("\n")) {
            lines.add(json.readValue(line, FailureReportLine.class));
        }
        return lines;
    }

    /**
     * The folder's listing as S3 would give it if each object had been uploaded in parts: ETags of the form
     * {@code <32 hex>-<parts>}, sizes and keys as they are.
     */
    private String listingWithCompositeETags(String folder) {
        return listingWithETags(folder, eTag -> eTag + "-2");
    }

    /** The folder's listing with each object's ETag (hex, unquoted) replaced by {@code eTagOf} of it. */
    private String listingWithETags(String folder, java.util.function.UnaryOperator<String> eTagOf) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + S3.bucket()
                + "</Name><Prefix>" + folder + "</Prefix><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys>"
                + "<IsTruncated>false</IsTruncated>");
        List<S3Object> objects = s3().listObjectsV2(b -> b.bucket(S3.bucket()).prefix(folder).delimiter("/")).contents();
        for (S3Object object : objects) {
            xml.append("<Contents><Key>").append(object.key()).append("</Key><LastModified>")
                    .append(object.lastModified()).append("</LastModified><ETag>&quot;")
                    .append(eTagOf.apply(object.eTag().replace("\"", ""))).append("&quot;</ETag><Size>").append(object.size())
                    .append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
        }
        return xml.append("<KeyCount>").append(objects.size()).append("</KeyCount></ListBucketResult>").toString();
    }

    /** The worker's S3 calls of {@code operation} so far (the SDK's name: HeadObject, ListObjectsV2, ...). */
    private long requests(String operation) {
        return requests.find("ferry.s3.request").tag("operation", operation).timers().stream()
                .mapToLong(Timer::count).sum();
    }

    private static S3Client s3() {
        return S3.server().client();
    }
}
