package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationJob;
import dev.ferry.local.BucketPreparer;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import dev.ferry.worker.config.JobSettings;
import dev.ferry.worker.copy.ByteBudget;
import dev.ferry.worker.copy.CopyEngine;
import dev.ferry.worker.copy.FileCopier;
import dev.ferry.worker.copy.FileOutcome;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** `ferry migrate --dry-run` says what the job would copy, skip and leave out, against a real S3, writing nothing. */
class DryRunPreviewIT {
    @TempDir
    static Path dirs;
    static LocalS3 s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = LocalS3.start(0, dirs.resolve("s3"), new S3Credentials("k", "secret-key"));
        BucketPreparer.ensureBucket(s3.endpoint(), s3.credentials(), "us-east-1", true, "bkt");
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @Test
    void previewsEachFileAsTheCopyTasksWouldDecideIt() throws Exception {
        Path source = Files.createDirectories(dirs.resolve("src"));
        Files.writeString(source.resolve("already-there.txt"), "same content");
        Files.writeString(source.resolve("changed.txt"), "first version");
        Files.createDirectories(source.resolve("tmp"));
        Files.writeString(source.resolve("tmp/scratch.txt"), "left out by --exclude");
        MigrationJob job = job(source, "--exclude", "tmp/**");
        try (CopyEngine engine = engine(job)) {
            FileCopier copier = new FileCopier(engine);
            assertThat(copier.copy("already-there.txt", source.resolve("already-there.txt")).kind())
                    .isEqualTo(FileOutcome.Kind.COPIED);
            assertThat(copier.copy("changed.txt", source.resolve("changed.txt")).kind()).isEqualTo(FileOutcome.Kind.COPIED);
        }
        Files.writeString(source.resolve("changed.txt"), "second, longer version");
        Files.writeString(source.resolve("new.txt"), "never copied");
        long objectsBefore = objectCount();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new DryRunPreview(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(source, job, StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "secret-key")), null);

        Map<String, String> actions = out.toString(StandardCharsets.UTF_8).lines().map(l -> l.split("\t"))
                .collect(Collectors.toMap(f -> f[1], f -> f[0]));
        assertThat(actions).containsEntry("already-there.txt", "skip").containsEntry("changed.txt", "copy")
                .containsEntry("new.txt", "copy").doesNotContainKey("tmp/scratch.txt");
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("2 files (34 B) would be copied, 1 (12 B) skipped as already there").contains("nothing was written");
        assertThat(objectCount()).as("nothing written").isEqualTo(objectsBefore);
    }

    @Test
    void seesEveryFileAsNewForTheEmbeddedStore() throws Exception {
        Path source = Files.createDirectories(dirs.resolve("embedded"));
        Files.writeString(source.resolve("a.txt"), "a");
        Files.writeString(source.resolve("b.csv"), "b");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        MigrateCommand command = new MigrateCommand();
        new CommandLine(command).parseArgs(source.toString(), "s3://bkt", "--dry-run", "--include", "*.csv");
        new DryRunPreview(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(source, command.job("dry-run", S3Url.parse("s3://bkt"), List.of(), true, null), null, null);

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("copy\tb.csv\t1\tnew");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("the embedded S3 of a run starts empty");
    }

    private static MigrationJob job(Path source, String... options) {
        MigrateCommand command = new MigrateCommand();
        String[] args = new String[options.length + 2];
        args[0] = source.toString();
        args[1] = "s3://bkt";
        System.arraycopy(options, 0, args, 2, options.length);
        new CommandLine(command).parseArgs(args);
        MigrationJob job = command.job("dry-run", S3Url.parse("s3://bkt"), List.of(s3.endpoint()), true, null);
        job.getMetadata().setUid("uid-dry-run");
        return job;
    }

    private static CopyEngine engine(MigrationJob job) {
        EndpointPool pool = S3ClientFactory.pool(job.getSpec().destination, AwsBasicCredentials.create("k", "secret-key"),
                4, EndpointPool.Settings.DEFAULT);
        return new CopyEngine(pool, JobSettings.of(job), new ByteBudget(16L << 20));
    }

    private static long objectCount() throws Exception {
        try (var client = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(s3.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(() -> AwsBasicCredentials.create("k", "secret-key")).build()) {
            return client.listObjectsV2(b -> b.bucket("bkt")).keyCount();
        }
    }
}
