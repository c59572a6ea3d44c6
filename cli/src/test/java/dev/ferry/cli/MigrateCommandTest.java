package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.AuditMode;
import dev.ferry.api.EmptyDirectoryPolicy;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.PosixAttributes;
import dev.ferry.api.SourceGlobs;
import dev.ferry.api.SymlinkPolicy;
import dev.ferry.api.VerifyMode;
import dev.ferry.local.S3Credentials;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** What `ferry migrate`'s options put into the MigrationJob it applies. */
class MigrateCommandTest {
    @TempDir
    Path source;

    @Test
    void includeExcludeAndMinimumAgeBecomeTheSourceFilters() {
        MigrateCommand command = parse(source.toString(), "s3://bkt", "--include", "**/*.csv", "--include", "*.txt",
                "--exclude", "tmp/**", "--min-file-age", "10m");
        command.validate();

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(job.getSpec().source.include).containsExactly("**/*.csv", "*.txt");
        assertThat(job.getSpec().source.exclude).containsExactly("tmp/**");
        assertThat(job.getSpec().source.minFileAge).isEqualTo("10m");
    }

    @Test
    void oneFileIsMigratedFromItsDirectoryWithItsNameAsTheOnlyIncludeAndNoDirectoryWalked() throws Exception {
        Path file = Files.writeString(source.resolve("scan [1]*.pdf"), "pdf");
        MigrateCommand command = parse(file.toString(), "s3://bkt/archive");
        command.validate();

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt/archive"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(command.source).isEqualTo(source.toAbsolutePath().normalize());
        assertThat(job.getSpec().source.include).containsExactly("scan \\[1\\]\\*.pdf");
        assertThat(job.getSpec().source.exclude).containsExactly("*/**");
        assertThat(SourceGlobs.matcher(job.getSpec().source.include.get(0)).matches(Path.of("scan [1]*.pdf"))).isTrue();
        assertThat(SourceGlobs.matcher(job.getSpec().source.include.get(0)).matches(Path.of("scan 1x.pdf"))).isFalse();
        assertThatThrownBy(() -> parse(file.toString(), "s3://bkt", "--exclude", "*.tmp").validate())
                .hasMessageContaining("--include and --exclude apply to a directory");
        assertThatThrownBy(() -> parse(source.resolve("absent").toString(), "s3://bkt").validate())
                .hasMessageContaining("does not exist");
    }

    @Test
    void marksMigratedFilesWhenAskedButNotWhenMoving() {
        MigrateCommand command = parse(source.toString(), "s3://bkt", "--mark-migrated", "Xattr");
        command.validate();

        assertThat(command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true)
                .getSpec().source.markMigrated).isEqualTo(dev.ferry.api.MarkMigrated.Xattr);
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--mark-migrated", "Xattr", "--mode", "Move")
                .validate()).hasMessageContaining("cannot be combined with --mode Move");
    }

    @Test
    void aJobNameMustBeOneThatCanLabelTheJobsObjects() {
        parse(source.toString(), "s3://bkt", "--name", "nightly-projects.v2").validate();
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--name", "n".repeat(64)).validate())
                .hasMessageContaining("--name must be at most 63");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--name", "Nightly_Projects").validate())
                .hasMessageContaining("--name must be");
    }

    @Test
    void temporaryCredentialsFromTheEnvironmentKeepTheirSessionTokenAndReachTheJobsSecret() {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "ASIATEMP", "AWS_SECRET_ACCESS_KEY", "s",
                "AWS_SESSION_TOKEN", "token-of-ASIATEMP");

        S3Credentials fromEnv = parse(source.toString(), "s3://bkt", "--endpoint", "https://s3.example:443")
                .endpointCredentials(env).orElseThrow();
        assertThat(fromEnv.asSecretData()).containsEntry("AWS_SESSION_TOKEN", "token-of-ASIATEMP")
                .containsEntry("AWS_ACCESS_KEY_ID", "ASIATEMP");
        assertThat(fromEnv.asAwsCredentials()).isInstanceOf(AwsSessionCredentials.class);
        assertThat(fromEnv.toString()).doesNotContain("token-of-ASIATEMP").doesNotContain("=s,");

        S3Credentials otherKey = parse(source.toString(), "s3://bkt", "--endpoint", "https://s3.example:443",
                "--access-key", "AKIALONG", "--secret-key", "long").endpointCredentials(env).orElseThrow();
        assertThat(otherKey.sessionToken()).as("a token exported for another key").isNull();
        assertThat(otherKey.asSecretData()).doesNotContainKey("AWS_SESSION_TOKEN");

        S3Credentials given = parse(source.toString(), "s3://bkt", "--endpoint", "https://s3.example:443",
                "--access-key", "ASIAOTHER", "--secret-key", "t", "--session-token", "token-of-ASIAOTHER")
                .endpointCredentials(env).orElseThrow();
        assertThat(given.sessionToken()).isEqualTo("token-of-ASIAOTHER");
    }

    @Test
    void withoutKeysTheCallersOwnIdentitySignsAndTheJobNamesNoSecretButHalfAPairIsRefused() {
        MigrateCommand command = parse(source.toString(), "s3://bkt", "--endpoint", "https://s3.example:443");
        assertThat(command.endpointCredentials(Map.of("AWS_PROFILE", "archive"))).isEmpty();

        command.ownIdentity = true;
        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("https://s3.example:443")), true);
        assertThat(job.getSpec().destination.credentialsSecret).as("the workers inherit the caller's environment").isNull();

        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--endpoint", "https://s3.example:443",
                "--secret-key", "s").endpointCredentials(Map.of()))
                .hasMessageContaining("--endpoint needs both keys or neither");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--endpoint", "https://s3.example:443")
                .endpointCredentials(Map.of("AWS_ACCESS_KEY_ID", "AKIA")))
                .hasMessageContaining("--endpoint needs both keys or neither");
    }

    @Test
    void aCaBundleIsForAStoreOfOnesOwnAndMustBeReadable() {
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--ca-bundle", "ca.pem").validate())
                .hasMessageContaining("--ca-bundle needs an https --endpoint");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--endpoint", "https://gw:8443",
                "--access-key", "k", "--secret-key", "s", "--ca-bundle", source.resolve("missing.pem").toString())
                .validate()).hasMessageContaining("missing.pem cannot be read");
    }

    @Test
    void refusesAMinimumAgeThatIsNotADurationAndAGlobThatDoesNotCompile() {
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--min-file-age", "10 minutes").validate())
                .hasMessageContaining("--min-file-age must be a duration");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--exclude", "a[b").validate())
                .hasMessageContaining("not a glob: a[b");
    }

    @Test
    void optionsBecomeTheJobsSpec() {
        MigrateCommand command = parse(source.toString(), "s3://bkt/p", "--mode", "Move", "--overwrite", "Always",
                "--verify", "Checksum", "--audit", "Source", "--bandwidth-limit", "50Mi", "--endpoint", "http://gw-a:9000",
                "--endpoint", "http://gw-b:9000", "--access-key", "k", "--secret-key", "s", "--max-files", "2000",
                "--max-bytes", "1Gi");
        command.validate();

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt/p"), command.endpoints, true);

        assertThat(job.getSpec().mode).isEqualTo(MigrationMode.Move);
        assertThat(job.getSpec().overwrite).isEqualTo(OverwritePolicy.Always);
        assertThat(job.getSpec().verify).isEqualTo(VerifyMode.Checksum);
        assertThat(job.getSpec().audit).isEqualTo(AuditMode.Source);
        assertThat(job.getSpec().workers.bandwidthLimit).isEqualTo("50Mi");
        assertThat(job.getSpec().destination.endpoints).containsExactly("http://gw-a:9000", "http://gw-b:9000");
        assertThat(job.getSpec().destination.prefix).isEqualTo("p");
        assertThat(job.getSpec().tasks.maxFiles).isEqualTo(2000);
        assertThat(job.getSpec().tasks.maxBytes).isEqualTo("1Gi");
    }

    @Test
    void defaultsAreTheResourcesDefaults() {
        MigrateCommand command = parse(source.toString(), "s3://bkt");

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(job.getSpec().modeOrDefault()).isEqualTo(MigrationMode.Copy);
        assertThat(job.getSpec().overwriteOrDefault()).isEqualTo(OverwritePolicy.IfDifferent);
        assertThat(job.getSpec().verifyOrDefault()).isEqualTo(VerifyMode.Checksum);
        assertThat(job.getSpec().auditOrDefault()).isEqualTo(AuditMode.Plan);
        assertThat(job.getSpec().workers.bandwidthLimit).isNull();
        assertThat(job.getSpec().tasksOrDefaults().maxFilesOrDefault()).isEqualTo(5000);
        assertThat(job.getSpec().tasksOrDefaults().maxBytesOrDefault()).isEqualTo(4L << 30);
        assertThat(job.getSpec().source.effectiveSymlinks()).isEqualTo(SymlinkPolicy.Skip);
        assertThat(job.getSpec().source.emptyDirectoriesOrDefault()).isEqualTo(EmptyDirectoryPolicy.Skip);
        assertThat(job.getSpec().destination.posixAttributesOrDefault()).isEqualTo(PosixAttributes.Store);
    }

    @Test
    void optionsNotGivenAreLeftToTheSchemaDefaultsNotWrittenIntoTheSpec() {
        MigrateCommand command = parse(source.toString(), "s3://bkt");

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(job.getSpec().mode).isNull();
        assertThat(job.getSpec().overwrite).isNull();
        assertThat(job.getSpec().verify).isNull();
        assertThat(job.getSpec().audit).isNull();
        assertThat(job.getSpec().destination.region).isNull();
        assertThat(job.getSpec().source.path).isNull();
        assertThat(job.getSpec().source.emptyDirectories).isNull();
        assertThat(job.getSpec().destination.posixAttributes).isNull();
        assertThat(job.getSpec().workers.concurrency).isNull();
        assertThat(job.getSpec().tasks.maxFiles).isNull();
        assertThat(job.getSpec().tasks.maxActive).isNull();
        assertThat(job.getSpec().tasks.splitFileSize).isNull();
    }

    @Test
    void linkAndEmptyDirectoryPoliciesBecomeTheSourcesPolicies() {
        MigrateCommand command = parse(source.toString(), "s3://bkt", "--symlinks", "Store",
                "--empty-directories", "Marker");

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(job.getSpec().source.symlinks).isEqualTo(SymlinkPolicy.Store);
        assertThat(job.getSpec().source.emptyDirectories).isEqualTo(EmptyDirectoryPolicy.Marker);
    }

    @Test
    void posixAttributesSkipBecomesTheDestinationsPolicy() {
        MigrateCommand command = parse(source.toString(), "s3://bkt", "--posix-attributes", "Skip");

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(job.getSpec().destination.posixAttributes).isEqualTo(PosixAttributes.Skip);
    }

    @Test
    void runsOneWorkerPerFourCpusByDefault() {
        assertThat(MigrateCommand.defaultWorkers(1)).isEqualTo(1);
        assertThat(MigrateCommand.defaultWorkers(2)).isEqualTo(1);
        assertThat(MigrateCommand.defaultWorkers(8)).isEqualTo(2);
        assertThat(MigrateCommand.defaultWorkers(64)).isEqualTo(8);
    }

    @Test
    void refusesAMoveThatCouldDeleteAnUnverifiedSource() {
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--mode", "Move", "--verify", "Size").validate())
                .hasMessageContaining("--mode Move needs --verify Checksum");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--mode", "Move", "--overwrite", "Never").validate())
                .hasMessageContaining("--mode Move");
    }

    @Test
    void refusesANonHttpEndpointABadBandwidthLimitAndAnEmptyTask() {
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--endpoint", "ftp://x", "--access-key", "k",
                "--secret-key", "s").validate()).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--bandwidth-limit", "0").validate())
                .hasMessageContaining("--bandwidth-limit");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--max-bytes", "0").validate())
                .hasMessageContaining("--max-bytes must be positive");
    }

    @Test
    void kafkaAndTopicBecomeTheJobsNotifications() {
        MigrateCommand command = parse(source.toString(), "s3://bkt", "--kafka", "kafka-a:9092,kafka-b:9092",
                "--topic", "migration.events");
        command.validate();

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(job.getSpec().notifications.kafka.bootstrapServers).isEqualTo("kafka-a:9092,kafka-b:9092");
        assertThat(job.getSpec().notifications.kafka.topic).isEqualTo("migration.events");
        assertThat(job.getSpec().notifications.kafka.secret).isNull();
    }

    @Test
    void theTopicDefaultsToFerryEventsWhenKafkaIsGiven() {
        MigrateCommand command = parse(source.toString(), "s3://bkt", "--kafka", "127.0.0.1:9092");
        command.validate();

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(job.getSpec().notifications.kafka.topic).isEqualTo("ferry-events");
    }

    @Test
    void anEmbeddedBrokerIsNamedByTheAddressItWasStartedOn() {
        MigrateCommand command = parse(source.toString(), "s3://bkt", "--kafka", "embedded", "--topic", "t");
        command.validate();

        assertThat(command.embeddedKafka()).isTrue();
        assertThat(command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true,
                "127.0.0.1:41234").getSpec().notifications.kafka.bootstrapServers).isEqualTo("127.0.0.1:41234");
    }

    @Test
    void withoutKafkaTheJobHasNoNotifications() {
        MigrateCommand command = parse(source.toString(), "s3://bkt");

        MigrationJob job = command.job("j", S3Url.parse("s3://bkt"), List.of(URI.create("http://127.0.0.1:1")), true);

        assertThat(job.getSpec().notifications).isNull();
    }

    @Test
    void refusesATopicWithoutKafkaAsAUsageError() {
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--topic", "t").validate())
                .hasMessageContaining("--topic needs --kafka");
        int code = new CommandLine(new MigrateCommand()).execute(source.toString(), "s3://bkt", "--topic", "t");
        assertThat(code).isEqualTo(2);
    }

    @Test
    void refusesABrokerListWithoutPortsAndAnInvalidTopic() {
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--kafka", "kafka-a").validate())
                .hasMessageContaining("--kafka must be HOST:PORT");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--kafka", "a:1, b:2").validate())
                .hasMessageContaining("--kafka must be HOST:PORT");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--kafka", "a:1", "--topic", "no/slash")
                .validate()).hasMessageContaining("--topic must be");
        parse(source.toString(), "s3://bkt", "--kafka", "[::1]:9092,10.0.0.1:9092").validate();
    }

    @Test
    void refusesADestinationWhosePrefixTheJobWouldRefuseAsAUsageErrorBeforeAnythingStarts() {
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt//archive/2024").validate())
                .hasMessageContaining("the key prefix must not start with '/'")
                .hasMessageContaining("write s3://bkt/archive/2024");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt/" + "p".repeat(513)).validate())
                .hasMessageContaining("the key prefix has 513 characters, at most 512");
        assertThat(S3Url.parse("s3://bkt/" + "p".repeat(512) + "//").prefix()).hasSize(512);
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt/a//b").validate())
                .hasMessageContaining("the key prefix 'a//b' is no key prefix Ferry writes: it has an empty segment");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt/a/./b").validate())
                .hasMessageContaining("it has a '.' segment");
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt/a/..").validate())
                .hasMessageContaining("it has a '..' segment");
        assertThat(S3Url.parse("s3://bkt/a/.b/..c/.../").prefix()).isEqualTo("a/.b/..c/...");
        assertThat(new CommandLine(new MigrateCommand()).execute(source.toString(), "s3://bkt//archive")).isEqualTo(2);
        assertThatThrownBy(() -> parse(source.toString(), "s3://bkt", "--region=").validate())
                .hasMessageContaining("--region must name a region");
    }

    private static MigrateCommand parse(String... args) {
        MigrateCommand command = new MigrateCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void saysWhatToCheckWhenTheBucketCannotBeReached() {
        S3Exception forbidden = (S3Exception) S3Exception.builder().statusCode(403).message("Forbidden").build();
        assertThat(MigrateCommand.unreachableHint(new CompletionException(forbidden)))
                .contains("the store refused these credentials for this bucket").contains("--access-key");
        assertThat(MigrateCommand.unreachableHint(new RuntimeException(new SSLHandshakeException("PKIX path building failed"))))
                .contains("--ca-bundle");
        assertThat(MigrateCommand.unreachableHint(S3Exception.builder().statusCode(500).build())).isEmpty();
    }
}
