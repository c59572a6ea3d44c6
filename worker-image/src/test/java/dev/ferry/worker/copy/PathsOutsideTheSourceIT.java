package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FailureCode;
import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A crafted task cannot make a worker read, upload or delete anything outside the job's source: paths
 * from a task's spec (and its manifest, read by the same code) that are absolute, climb with {@code ..},
 * or go through a directory that is a link out of the source are refused per file with
 * {@code PATH_OUTSIDE_SOURCE}, under {@code mode: Move} too; a Plan task aimed outside the source fails.
 * The source is {@code /share} of a volume that also holds {@code /private}; a file outside the volume
 * is there as well.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class PathsOutsideTheSourceIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("outside-it");

    @TempDir
    Path temp;
    Path volume;
    Path privateFile;
    Path outsideTheVolume;
    LocalWorker worker;
    MigrationJob job;

    @BeforeAll
    static void installCrdsAndCredentials() {
        TestResources.installCrds(client);
        TestResources.createCredentials(client);
    }

    @BeforeEach
    void aVolumeWithASharedAndAPrivateDirectory() throws Exception {
        volume = Files.createDirectories(temp.resolve("volume"));
        Files.createDirectories(volume.resolve("share/docs"));
        Files.writeString(volume.resolve("share/docs/ok.txt"), "public");
        privateFile = Files.createDirectories(volume.resolve("private")).resolve("secret.txt");
        Files.writeString(privateFile, "private");
        outsideTheVolume = Files.writeString(temp.resolve("outside.txt"), "not even on the volume");
        Files.createSymbolicLink(volume.resolve("share/link"), volume.resolve("private"));
        Files.createSymbolicLink(volume.resolve("share/docs/evil"), privateFile);
        worker = new LocalWorker(client, volume, TestResources.POD_UID);
        job = TestResources.job("job-" + S3.bucket(), S3.server().endpoint(), S3.bucket(), null);
        job.getSpec().source.path = "/share";
        job.getSpec().mode = MigrationMode.Move;
        job = TestResources.create(client, job);
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    @Test
    void refusesEveryFileOutsideTheSourceAndMovesOnlyTheOneInside() throws Exception {
        String name = "copy-" + S3.bucket();
        TestResources.createCopyTask(client, job, name, List.of(
                new FileEntry("docs/ok.txt", 6, Files.getLastModifiedTime(volume.resolve("share/docs/ok.txt")).toMillis()),
                new FileEntry("../private/secret.txt", 7, 0),
                new FileEntry("docs/../../private/secret.txt", 7, 0),
                new FileEntry(outsideTheVolume.toString(), 22, 0),
                new FileEntry("link/secret.txt", 7, 0),
                new FileEntry("docs/evil", 7, 0))); // a link as a file: not followed
        TestResources.assign(client, name, TestResources.POD_UID);

        worker.run(name);

        MigrationTask task = TestResources.task(client, name);
        assertThat(task.getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(task.getStatus().progress.copied).isEqualTo(1);
        assertThat(task.getStatus().progress.failed).isEqualTo(5);
        assertThat(task.getStatus().failures).extracting(f -> f.path + " " + f.code).containsExactly(
                "../private/secret.txt PATH_OUTSIDE_SOURCE", "docs/../../private/secret.txt PATH_OUTSIDE_SOURCE",
                outsideTheVolume + " PATH_OUTSIDE_SOURCE", "link/secret.txt PATH_OUTSIDE_SOURCE",
                "docs/evil NOT_A_REGULAR_FILE");
        assertThat(keys()).containsExactly("docs/ok.txt");
        assertThat(volume.resolve("share/docs/ok.txt")).as("moved: the file inside is deleted").doesNotExist();
        assertThat(privateFile).as("never deleted").hasContent("private");
        assertThat(outsideTheVolume).as("never deleted").hasContent("not even on the volume");
    }

    @Test
    void aPlanAimedOutsideTheSourceFailsWithoutCreatingTasks() {
        MigrationTask plan = TestResources.createPlanTask(client, job, "../private");
        TestResources.assign(client, plan.getMetadata().getName(), TestResources.POD_UID);

        worker.run(plan.getMetadata().getName());

        MigrationTask task = TestResources.task(client, plan.getMetadata().getName());
        assertThat(task.getStatus().phase).isEqualTo(TaskPhase.Failed);
        assertThat(task.getStatus().message).startsWith(FailureCode.PATH_OUTSIDE_SOURCE.name());
        assertThat(client.resources(MigrationTask.class).inNamespace(TestResources.NAMESPACE)
                .withLabel(Ferry.JOB_LABEL, job.getMetadata().getName()).list().getItems())
                .extracting(t -> t.getMetadata().getName()).containsExactly(plan.getMetadata().getName());
        assertThat(keys()).isEmpty();
    }

    @Test
    void aPartsTaskWhoseFileIsOutsideTheSourceFailsWithoutReadingIt() throws Exception {
        String name = "parts-" + S3.bucket();
        long partSize = 5L << 20;
        PartsTaskSpecs.create(client, job, name, new FileEntry("../private/secret.txt", 2 * partSize, 0), partSize,
                1, 2, 2, "upload-of-a-crafted-task");
        TestResources.assign(client, name, TestResources.POD_UID);

        worker.run(name);

        MigrationTask task = TestResources.task(client, name);
        assertThat(task.getStatus().phase).isEqualTo(TaskPhase.Failed);
        assertThat(task.getStatus().message).startsWith(FailureCode.PATH_OUTSIDE_SOURCE.name());
        assertThat(privateFile).as("never deleted").hasContent("private");
        assertThat(keys()).isEmpty();
    }

    private List<String> keys() {
        return S3.server().client().listObjectsV2(b -> b.bucket(S3.bucket())).contents().stream()
                .map(S3Object::key).filter(k -> !k.startsWith(".ferry/")).toList();
    }
}
