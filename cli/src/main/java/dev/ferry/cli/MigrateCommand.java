package dev.ferry.cli;

import dev.ferry.api.AuditMode;
import dev.ferry.api.DestinationSpec;
import dev.ferry.api.EmptyDirectoryPolicy;
import dev.ferry.api.KafkaSpec;
import dev.ferry.api.MarkMigrated;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.NotificationsSpec;
import dev.ferry.api.OverwritePolicy;
import dev.ferry.api.Patterns;
import dev.ferry.api.PosixAttributes;
import dev.ferry.api.Quantities;
import dev.ferry.api.SecretKeyReference;
import dev.ferry.api.SourceGlobs;
import dev.ferry.api.SourceSpec;
import dev.ferry.api.SymlinkPolicy;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.VerifyMode;
import dev.ferry.api.WorkersSpec;
import dev.ferry.api.runtime.EndpointTrust;
import dev.ferry.local.BucketPreparer;
import dev.ferry.local.LocalEnvironment;
import dev.ferry.local.LocalKafka;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Runs one migration through the whole operator/worker path on this machine: local API, operator,
 * worker processes, and an embedded S3 unless an endpoint is given. Exits 0 only if the job succeeded.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Migrate SRC into s3://BUCKET[/PREFIX] with the real operator and worker processes.")
public final class MigrateCommand implements Callable<Integer> {
    static final String SOURCE_CLAIM = "source";
    static final String SECRET = "ferry-s3-credentials";
    static final String EMBEDDED_KAFKA = "embedded";
    static final String DEFAULT_TOPIC = "ferry-events";
    /** host:port, the host a name, an IPv4 address or a bracketed IPv6 address. */
    private static final String BROKER = "([^,\\s:\\[\\]]+|\\[[0-9a-fA-F:.]+\\]):\\d{1,5}";
    private static final Pattern BROKER_LIST = Pattern.compile(BROKER + "(," + BROKER + ")*");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    @Parameters(index = "0", paramLabel = "SRC", description = "Directory to migrate, or one file (stored as PREFIX/NAME).")
    Path source;

    /** SRC as given when it is one file ({@link #source} is then its directory); else null. */
    private Path oneFile;

    @Parameters(index = "1", paramLabel = "s3://BUCKET[/PREFIX]", description = "Destination bucket and key prefix.")
    String destination;

    @Option(names = "--workers", description = "Worker processes (default: one per 4 CPUs, at least 1, at most 8 — "
            + "each runs --concurrency uploads, and on one machine more processes mostly add JIT and GC work).")
    Integer workers;

    @Option(names = "--operators", defaultValue = "0", paramLabel = "N",
            description = "Run N operator processes with Lease leader election, as on a cluster "
                    + "(default 0: the operator runs inside this process).")
    int operators;

    @Option(names = "--endpoint", paramLabel = "URL",
            description = "S3 endpoint URL; repeat it for several gateways of one store, which the workers spread "
                    + "over and fail over between. Default: an embedded S3 under the work directory.")
    List<URI> endpoints;

    @Option(names = "--access-key", description = "Access key for --endpoint (default: $AWS_ACCESS_KEY_ID).")
    String accessKey;

    @Option(names = "--secret-key", description = "Secret key for --endpoint (default: $AWS_SECRET_ACCESS_KEY).")
    String secretKey;

    /** No keys given for --endpoint: the caller's own identity signs (set by {@link #call}). */
    boolean ownIdentity;

    @Option(names = "--session-token", description = "Session token of temporary credentials for --endpoint (STS, "
            + "SSO; default: $AWS_SESSION_TOKEN when the access key comes from $AWS_ACCESS_KEY_ID).")
    String sessionToken;

    @Option(names = "--region", description = "Signing region (default us-east-1).")
    String region;

    @Option(names = "--ca-bundle", paramLabel = "PEM_FILE",
            description = "CA certificates (PEM) that sign the --endpoint's TLS certificate, e.g. an internal CA; "
                    + "trusted besides the JVM's default CAs (the job's spec.destination.endpointCA).")
    Path caBundle;

    /** The text of --ca-bundle and the CAs the CLI's own S3 calls trust, set by {@link #validate}; null without it. */
    private String endpointCAPem;
    private TrustManager[] endpointTrust;

    @Option(names = "--virtual-host-style", description = "Address buckets as hostnames instead of paths.")
    boolean virtualHostStyle;

    @Option(names = "--part-size", description = "Multipart part size, e.g. 16Mi (default: chosen per file).")
    String partSize;

    @Option(names = "--concurrency", description = "Uploads in flight per worker (default 16).")
    Integer concurrency;

    @Option(names = "--max-files", description = "Most files per copy task (default 5000; a plan's first tasks "
            + "hold 500, 1000, 2000, ...).")
    Integer maxFiles;

    @Option(names = "--max-bytes", description = "Most bytes per copy task, e.g. 1Gi (default 4Gi).")
    String maxBytes;

    @Option(names = "--mode", description = "Copy (default), Sync (only new or changed files) or Move "
            + "(delete each source file once its object is verified).")
    MigrationMode mode;

    @Option(names = "--overwrite", description = "IfDifferent (default), Always or Never.")
    OverwritePolicy overwrite;

    @Option(names = "--verify", description = "Checksum (default) or Size.")
    VerifyMode verify;

    @Option(names = "--audit", description = "The check before the end: Plan (default: the destination against the"
            + " plan's manifests), Source (against the source walked again; with Checksum every file is read again) or None.")
    AuditMode audit;

    @Option(names = "--symlinks", paramLabel = "Skip|Follow|Store",
            description = "Symbolic links: Skip (default: left out and reported), Follow (links whose target is inside "
                    + "SRC) or Store (each link as a small object holding its text; never followed).")
    SymlinkPolicy symlinks;

    @Option(names = "--empty-directories", paramLabel = "Skip|Marker",
            description = "Empty directories: Skip (default: nothing stored) or Marker (a zero-byte object DIR/).")
    EmptyDirectoryPolicy emptyDirectories;

    @Option(names = "--posix-attributes", paramLabel = "Store|Skip",
            description = "Store (default: each file's mode, uid and gid as object metadata) or Skip (only its mtime"
                    + " and MD5).")
    PosixAttributes posixAttributes;

    @Option(names = "--bandwidth-limit", paramLabel = "BYTES_PER_SECOND",
            description = "Upload limit per worker, e.g. 100Mi (default: unlimited).")
    String bandwidthLimit;

    @Option(names = "--include", paramLabel = "GLOB",
            description = "Only files matching this glob (repeatable; default: all). As in rsync and rclone: without a"
                    + " slash it matches names at any depth ('*.csv'), with one the path relative to SRC ('logs/*.gz'),"
                    + " with a leading one only from the top ('/*.csv').")
    List<String> include;

    @Option(names = "--exclude", paramLabel = "GLOB",
            description = "Leave out files matching this glob, read as --include's ('*.tmp': every .tmp file);"
                    + " applied after --include (repeatable).")
    List<String> exclude;

    @Option(names = "--min-file-age", paramLabel = "DURATION",
            description = "Leave out files modified more recently than this, e.g. 10m: they may still be written.")
    String minFileAge;

    @Option(names = "--mark-migrated", paramLabel = "None|Xattr",
            description = "Xattr: once its object is verified, give each file the extended attribute "
                    + "user.ferry.migrated (key, ETag, job, time); not with --mode Move (spec.source.markMigrated).")
    MarkMigrated markMigrated;

    @Option(names = "--dry-run", description = "Walk SRC as the job would and print, one tab-separated line per file, "
            + "what would be copied, skipped (already at --endpoint) or left out, with a summary; write nothing.")
    boolean dryRun;

    @Option(names = {"-v", "--verbose"}, description = "Show the operator's and libraries' INFO logs (default: warnings only).")
    boolean verbose;

    @Option(names = "--name", description = "Name of the MigrationJob and of its directory under <work-dir>/runs"
            + " (default: migrate-<time>, with -2, -3, ... for runs started in the same second). A name of an earlier"
            + " run uses its embedded S3 again (a re-run copies what is missing); one a running ferry holds is refused.")
    String name;

    @Option(names = "--work-dir", defaultValue = ".ferry", description = "State, embedded S3 data and logs (default ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--json", description = "Print the summary as JSON on stdout.")
    boolean json;

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,HOST:PORT...]|embedded",
            description = "Send an event for every file's outcome to these Kafka brokers, or to a broker started "
                    + "for this run under the work directory ('embedded', stopped at the end).")
    String kafka;

    @Option(names = "--topic", description = "Kafka topic of the events (default " + DEFAULT_TOPIC + "; needs --kafka).")
    String topic;

    /** Worker processes when --workers is not given: the benchmark on 2 cores ran faster with 1 than with 2 or 3. */
    static int defaultWorkers(int cpus) {
        return Math.max(1, Math.min(8, cpus / 4));
    }

    @Override
    public Integer call() throws Exception {
        if (workers == null) {
            workers = defaultWorkers(Runtime.getRuntime().availableProcessors());
        }
        PrintStream err = System.err;
        if (verbose) {
            Verbosity.showInfoLogs();
        }
        try {
            validate();
        } catch (IllegalArgumentException e) {
            err.println("ferry: " + e.getMessage());
            return 2;
        }
        S3Url target = S3Url.parse(destination);
        boolean embedded = endpoints == null || endpoints.isEmpty();
        // null with an endpoint: no key given, the caller's own identity signs (the SDK's default chain)
        S3Credentials credentials = embedded
                ? new S3Credentials(LocalS3.DEFAULT_ACCESS_KEY, LocalS3.DEFAULT_SECRET_KEY)
                : endpointCredentials(System.getenv()).orElse(null);
        ownIdentity = !embedded && credentials == null;
        if (ownIdentity) {
            err.println("ferry: no access key given (--access-key, AWS_ACCESS_KEY_ID): signing with the AWS SDK's default"
                    + " chain (AWS_PROFILE and ~/.aws, a role of this machine)");
        }
        if (dryRun) {
            MigrationJob job = job("dry-run", target, embedded ? List.of() : endpoints, !virtualHostStyle, null);
            return new DryRunPreview(System.out, err).run(source.toAbsolutePath().normalize(), job, embedded ? null
                    : signer(credentials), endpointTrust);
        }
        RunDirectory run;
        try {
            run = name != null ? RunDirectory.claimNamed(workDir.resolve("runs"), name)
                    : RunDirectory.claimNew(workDir.resolve("runs"),
                            "migrate-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        } catch (RunDirectory.InUseException e) {
            err.println("ferry: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("ferry: cannot create the run's directory under " + workDir + ": " + e);
            return 3;
        }
        // held while the run lasts (and released by the kernel however this process ends)
        try (run) {
            return migrate(run, err, target, embedded, credentials);
        }
    }

    private int migrate(RunDirectory run, PrintStream err, S3Url target, boolean embedded, S3Credentials credentials)
            throws Exception {
        String jobName = run.name();
        Path runDir = run.path();

        err.printf("ferry: migrating %s to %s with %d worker(s)%n", oneFile != null ? oneFile : source, target, workers);
        // The broker starts beside the local environment: two JVMs warming up at once beat one after the other.
        CompletableFuture<LocalKafka> kafkaStart = embeddedKafka()
                ? LocalKafka.startAsync(runDir.resolve("kafka"), 0) : null;
        // A store of its own is asked for the bucket meanwhile too (its S3 client's start is a third of a second);
        // the embedded one exists only once the environment runs.
        String signingRegion = region != null ? region : DestinationSpec.DEFAULT_REGION;
        boolean pathStyle = !virtualHostStyle;
        CompletableFuture<Boolean> bucketCreated = embedded ? null : CompletableFuture.supplyAsync(() ->
                BucketPreparer.ensureBucket(endpoints.get(0), signer(credentials), signingRegion, pathStyle,
                        target.bucket(), endpointTrust));
        LocalEnvironment env;
        try {
            env = LocalEnvironment.start(new LocalEnvironment.Options(runDir, 0, embedded ? 0 : null, credentials,
                    Map.of(SOURCE_CLAIM, source.toAbsolutePath().normalize()), null, workers, operators));
        } catch (Exception e) {
            err.println("ferry: cannot start the local environment: " + e);
            if (kafkaStart != null) {
                kafkaStart.thenAccept(LocalKafka::close);
            }
            return 3;
        }
        LocalKafka localKafka;
        try {
            localKafka = kafkaStart == null ? null : kafkaStart.join();
        } catch (CompletionException e) {
            env.close();
            err.println("ferry: cannot start the embedded Kafka: " + e.getCause().getMessage());
            return 3;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            env.close();
            if (localKafka != null) {
                localKafka.close();
            }
        }, "ferry-shutdown"));
        // Closed in reverse: the workers stop before the broker they send events to.
        try (localKafka; env) {
            String kafkaServers = localKafka != null ? localKafka.bootstrapServers() : kafka;
            if (localKafka != null) {
                localKafka.createTopic(topicOrDefault());
                err.printf("ferry: embedded Kafka at %s (log %s); topic %s; watch it with:%n  %s%n", kafkaServers,
                        localKafka.logFile(), topicOrDefault(), localKafka.consoleConsumerCommand(topicOrDefault()));
            }
            List<URI> s3Endpoints = embedded ? List.of(env.s3().endpoint()) : endpoints;
            URI s3Endpoint = s3Endpoints.get(0);
            if (embedded) {
                err.printf("ferry: embedded S3 at %s (access key %s, secret key %s), data in %s%n", s3Endpoint,
                        credentials.accessKey(), credentials.secretKey(), env.s3().dataDir());
            }
            try {
                boolean created = bucketCreated != null ? bucketCreated.join()
                        : BucketPreparer.ensureBucket(s3Endpoint, signer(credentials), signingRegion, pathStyle,
                                target.bucket(), endpointTrust);
                if (created) {
                    err.printf("ferry: created bucket %s%n", target.bucket());
                }
            } catch (RuntimeException e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                err.println("ferry: cannot reach bucket " + target.bucket() + " at " + s3Endpoint + ": "
                        + cause.getMessage() + unreachableHint(cause));
                return 4;
            }
            Map<String, String> secretData = new LinkedHashMap<>(credentials == null ? Map.of() : credentials.asSecretData());
            if (endpointCAPem != null) {
                secretData.put(SecretKeyReference.DEFAULT_KEY, endpointCAPem);
            }
            if (!secretData.isEmpty()) {
                env.putSecret(SECRET, secretData);
            }
            MigrationJob job;
            try {
                job = env.client().resources(MigrationJob.class).inNamespace(LocalEnvironment.NAMESPACE)
                        .resource(job(jobName, target, s3Endpoints, pathStyle, kafkaServers)).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 422 && e.getCode() != 409) {
                    throw e;
                }
                // Refused as a cluster refuses it (the CRD's rules, a name taken): said in one line
                err.println("ferry: the job was refused: " + (e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage() : e.getMessage()));
                return 2;
            }
            err.printf("ferry: job %s created; worker logs in %s; kubectl: export KUBECONFIG=%s%n",
                    job.getMetadata().getName(), env.kubelet().logDir(), env.kubeconfig().toAbsolutePath());

            JobOutcome outcome = new JobWatcher(env.client(), LocalEnvironment.NAMESPACE, jobName, env.kubelet(), err)
                    .awaitCompletion();
            Summary summary = Summary.of(outcome, target, s3Endpoint);
            if (json) {
                System.out.println(summary.toJson());
            } else {
                summary.print(System.out);
            }
            if (!outcome.succeeded()) {
                err.println("ferry: migration failed: " + outcome.reason());
                return 1;
            }
            return 0;
        }
    }

    /**
     * SRC is one file: its directory is the job's source, with the file's name as the only include and every
     * directory excluded whole (not walked), so the file is stored as {@code PREFIX/NAME}, as {@code rclone copy}
     * and {@code aws s3 cp} store it. Its own globs would say nothing more.
     */
    private void migrateOneFile() {
        if (!Files.isReadable(source)) {
            throw new IllegalArgumentException("source " + source + " is not readable");
        }
        if (include != null && !include.isEmpty() || exclude != null && !exclude.isEmpty()) {
            throw new IllegalArgumentException("--include and --exclude apply to a directory; " + source + " is a file");
        }
        Path file = source.toAbsolutePath().normalize();
        oneFile = source;
        include = List.of(literalGlob(file.getFileName().toString()));
        exclude = List.of("*/**");
        source = file.getParent();
    }

    /** A glob that matches exactly {@code name}: its glob characters escaped. */
    static String literalGlob(String name) {
        StringBuilder glob = new StringBuilder(name.length() + 8);
        for (char c : name.toCharArray()) {
            if ("\\*?[]{}".indexOf(c) >= 0) {
                glob.append('\\');
            }
            glob.append(c);
        }
        return glob.toString();
    }

    /** What to do about a bucket that cannot be reached, where the failure tells; else "". */
    static String unreachableHint(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException || t instanceof CertificateException) {
                return "; the store's TLS certificate is not trusted: if an internal CA signs it, give the CA's"
                        + " certificate with --ca-bundle FILE";
            }
            if (t.getMessage() != null && t.getMessage().startsWith("Unable to load credentials")) {
                return "; no credentials: pass --access-key and --secret-key, set AWS_ACCESS_KEY_ID and"
                        + " AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE";
            }
            if (t instanceof S3Exception s3 && s3.statusCode() == 403) {
                // a HEAD answers without a body: no error code tells a wrong key from a missing permission
                return "; the store refused these credentials for this bucket: check --access-key and --secret-key"
                        + " (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), and that they may use the bucket";
            }
        }
        return "";
    }

    void validate() {
        if (Files.isRegularFile(source)) {
            migrateOneFile();
        } else if (!Files.isDirectory(source)) {
            throw new IllegalArgumentException("source " + source + (Files.exists(source)
                    ? " is neither a directory nor a regular file" : " does not exist"));
        }
        if (!Files.isReadable(source)) {
            throw new IllegalArgumentException("source " + source + " is not readable");
        }
        S3Url.parse(destination);
        if (region != null && region.isBlank()) {
            throw new IllegalArgumentException("--region must name a region, such as us-east-1 (the default)");
        }
        if (operators < 0 || operators > 5) {
            throw new IllegalArgumentException("--operators must be between 0 and 5");
        }
        if (workers != null && (workers < 1 || workers > 64)) {
            throw new IllegalArgumentException("--workers must be between 1 and 64");
        }
        if (partSize != null) {
            long bytes = Quantities.parseBytes(partSize);
            if (bytes < 5L << 20) {
                throw new IllegalArgumentException("--part-size must be at least 5Mi (the S3 minimum part size)");
            }
        }
        for (URI endpoint : endpoints == null ? List.<URI>of() : endpoints) {
            if (!List.of("http", "https").contains(String.valueOf(endpoint.getScheme()))) {
                throw new IllegalArgumentException("--endpoint must be an http:// or https:// URL: " + endpoint);
            }
        }
        if (maxBytes != null && Quantities.parseBytes(maxBytes) <= 0) {
            throw new IllegalArgumentException("--max-bytes must be positive, e.g. 1Gi");
        }
        if (bandwidthLimit != null && Quantities.parseBytes(bandwidthLimit) <= 0) {
            throw new IllegalArgumentException("--bandwidth-limit must be a positive quantity, e.g. 100Mi");
        }
        if (mode == MigrationMode.Move && (verify == VerifyMode.Size || overwrite == OverwritePolicy.Never)) {
            throw new IllegalArgumentException("--mode Move needs --verify Checksum and an --overwrite other than Never");
        }
        if (endpoints != null && !endpoints.isEmpty()) {
            endpointCredentials(System.getenv()); // half a key pair is a mistake, none is the caller's own identity
        }
        if (name != null && (name.length() > MigrationJob.MAX_NAME_LENGTH || !name.matches(Patterns.DNS_NAME))) {
            throw new IllegalArgumentException("--name must be at most " + MigrationJob.MAX_NAME_LENGTH
                    + " lower-case letters, digits, '-' and '.', starting and ending with a letter or digit: " + name);
        }
        if (caBundle != null) {
            if (endpoints == null || endpoints.isEmpty()) {
                throw new IllegalArgumentException("--ca-bundle needs an https --endpoint: the embedded S3 is plain http");
            }
            try {
                endpointCAPem = Files.readString(caBundle);
            } catch (IOException | UncheckedIOException e) {
                throw new IllegalArgumentException("--ca-bundle " + caBundle + " cannot be read: " + e.getMessage());
            }
            try {
                endpointTrust = EndpointTrust.trustManagers(EndpointTrust.certificates(endpointCAPem));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--ca-bundle " + caBundle + ": " + e.getMessage());
            }
        }
        if (markMigrated == MarkMigrated.Xattr && mode == MigrationMode.Move) {
            throw new IllegalArgumentException("--mark-migrated Xattr cannot be combined with --mode Move: a moved file "
                    + "is deleted, there is nothing to mark");
        }
        if (minFileAge != null && !minFileAge.matches(Patterns.DURATION)) {
            throw new IllegalArgumentException("--min-file-age must be a duration such as 30s, 10m or 1h30m: " + minFileAge);
        }
        for (String glob : concat(include, exclude)) {
            try {
                SourceGlobs.matcher(glob);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a glob: " + glob + " (" + e.getMessage() + ")");
            }
        }
        validateKafka();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a == null ? List.of() : a);
        all.addAll(b == null ? List.of() : b);
        return all;
    }

    private void validateKafka() {
        if (topic != null && kafka == null) {
            throw new IllegalArgumentException("--topic needs --kafka: give the brokers (--kafka HOST:PORT) or "
                    + "--kafka " + EMBEDDED_KAFKA + " for a broker of this run");
        }
        if (kafka != null && !kafka.equals(EMBEDDED_KAFKA) && !BROKER_LIST.matcher(kafka).matches()) {
            throw new IllegalArgumentException("--kafka must be HOST:PORT[,HOST:PORT...] or " + EMBEDDED_KAFKA
                    + ": " + kafka);
        }
        if (topic != null && !TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("--topic must be 1 to 249 letters, digits, '.', '_' or '-': " + topic);
        }
    }

    boolean embeddedKafka() {
        return EMBEDDED_KAFKA.equals(kafka);
    }

    /**
     * The credentials for {@code --endpoint}: the options, else the variables every S3 tool reads. A session token
     * belongs to the access key it was issued with, so {@code $AWS_SESSION_TOKEN} is taken only with the access key
     * of {@code $AWS_ACCESS_KEY_ID} (an {@code --access-key} given beside a token exported for another key would
     * make every request fail); {@code --session-token} goes with any.
     */
    Optional<S3Credentials> endpointCredentials(Map<String, String> env) {
        String key = orEnv(accessKey, "AWS_ACCESS_KEY_ID", env);
        String secret = orEnv(secretKey, "AWS_SECRET_ACCESS_KEY", env);
        if (key == null && secret == null) {
            return Optional.empty(); // the caller's own identity: the AWS SDK's default chain
        }
        if (key == null || secret == null) {
            throw new IllegalArgumentException("--endpoint needs both keys or neither: pass --access-key and --secret-key,"
                    + " or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (neither: the AWS SDK's default chain,"
                    + " e.g. AWS_PROFILE)");
        }
        boolean keyFromEnv = accessKey == null || accessKey.isBlank();
        String token = sessionToken != null && !sessionToken.isBlank() ? sessionToken
                : keyFromEnv ? env.get("AWS_SESSION_TOKEN") : null;
        return Optional.of(new S3Credentials(key, secret, token));
    }

    /** What signs the CLI's own requests: the keys, or the SDK's default chain when there are none. */
    private static AwsCredentialsProvider signer(S3Credentials credentials) {
        return credentials == null ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(credentials.asAwsCredentials());
    }

    private static String orEnv(String value, String variable, Map<String, String> env) {
        if (value != null && !value.isBlank()) {
            return value;
        }
        String fromEnv = env.get(variable);
        return fromEnv == null || fromEnv.isBlank() ? null : fromEnv;
    }

    String topicOrDefault() {
        return topic != null ? topic : DEFAULT_TOPIC;
    }

    /** The job for brokers given as --kafka HOST:PORT (none with --kafka embedded: see the other overload). */
    MigrationJob job(String jobName, S3Url target, List<URI> s3Endpoints, boolean pathStyle) {
        return job(jobName, target, s3Endpoints, pathStyle, embeddedKafka() ? null : kafka);
    }

    /** {@code kafkaServers}: the bootstrap servers of the events (null: no events). */
    MigrationJob job(String jobName, S3Url target, List<URI> s3Endpoints, boolean pathStyle, String kafkaServers) {
        MigrationJobSpec spec = new MigrationJobSpec();
        spec.source = new SourceSpec();
        spec.source.pvc = SOURCE_CLAIM;
        spec.source.symlinks = symlinks;
        spec.source.include = include == null || include.isEmpty() ? null : List.copyOf(include);
        spec.source.exclude = exclude == null || exclude.isEmpty() ? null : List.copyOf(exclude);
        spec.source.minFileAge = minFileAge;
        spec.source.markMigrated = markMigrated;
        if (emptyDirectories != null) {
            spec.source.emptyDirectories = emptyDirectories;
        }
        spec.destination = new DestinationSpec();
        spec.destination.bucket = target.bucket();
        spec.destination.prefix = target.prefix().isEmpty() ? null : target.prefix();
        spec.destination.endpoints = s3Endpoints.stream().map(URI::toString).toList();
        spec.destination.region = region;
        spec.destination.pathStyle = pathStyle;
        // none: the workers, which inherit this process's environment, sign as the caller does
        spec.destination.credentialsSecret = ownIdentity ? null : SECRET;
        spec.destination.posixAttributes = posixAttributes;
        spec.destination.endpointCA = endpointCAPem == null ? null : new SecretKeyReference(SECRET, SecretKeyReference.DEFAULT_KEY);
        spec.workers = new WorkersSpec();
        spec.workers.replicas = workers != null ? workers : defaultWorkers(Runtime.getRuntime().availableProcessors());
        spec.workers.partSize = partSize;
        spec.workers.bandwidthLimit = bandwidthLimit;
        if (mode != null) {
            spec.mode = mode;
        }
        if (overwrite != null) {
            spec.overwrite = overwrite;
        }
        if (verify != null) {
            spec.verify = verify;
        }
        if (audit != null) {
            spec.audit = audit;
        }
        if (concurrency != null) {
            spec.workers.concurrency = concurrency;
        }
        spec.tasks = new TasksSpec();
        if (maxFiles != null) {
            spec.tasks.maxFiles = maxFiles;
        }
        spec.tasks.maxBytes = maxBytes;
        if (kafkaServers != null) {
            spec.notifications = new NotificationsSpec();
            spec.notifications.kafka = new KafkaSpec();
            spec.notifications.kafka.bootstrapServers = kafkaServers;
            spec.notifications.kafka.topic = topicOrDefault();
        }
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName(jobName).withNamespace(LocalEnvironment.NAMESPACE).build());
        job.setSpec(spec);
        return job;
    }

    static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
