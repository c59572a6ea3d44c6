package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.JobManifests.dest;
import static dev.ferry.local.apiserver.JobManifests.kafka;
import static dev.ferry.local.apiserver.JobManifests.source;
import static dev.ferry.local.apiserver.JobManifests.tasks;
import static dev.ferry.local.apiserver.JobManifests.workers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskType;
import dev.ferry.operator.FerryOperator;
import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed {@code MigrationJob} a user may write, applied through the local API server with the
 * operator running, as on a cluster. Each one is either refused at apply ({@code 422 Invalid}, a cause that
 * names the field: what the CRD's schema and CEL rules can see), or accepted and given {@code Ready=False}
 * with reason {@code InvalidSpec} and a message that names the field and what to fix, and no task (what
 * only the operator can see: Secrets and claims that do not exist, globs that do not compile, values the
 * workers cannot use). None of them holds up a valid job beside it, and none is reconciled in a loop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MalformedJobSpecsIT {
    private static final String NAMESPACE = "default";
    private static final String CLAIM = "nas-data";
    private static final String SECRET = "s3";
    private static final AtomicInteger NAMES = new AtomicInteger();
    /** The jobs that were accepted as not ready, by name, with the resourceVersion they settled at. */
    private static final Map<String, String> NOT_READY = new ConcurrentHashMap<>();

    static LocalKubernetesApi api;
    static KubernetesClient client;
    static FerryOperator operator;

    @BeforeAll
    static void startTheApiAndTheOperator() throws Exception {
        api = LocalApis.withFerryCrds();
        client = api.client();
        client.persistentVolumeClaims().inNamespace(NAMESPACE).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(CLAIM).endMetadata().build()).create();
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(SECRET)
                .endMetadata().addToStringData(Ferry.SECRET_ACCESS_KEY_ID, "id")
                .addToStringData(Ferry.SECRET_SECRET_ACCESS_KEY, "secret").build()).create();
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("half")
                .endMetadata().addToStringData(Ferry.SECRET_ACCESS_KEY_ID, "id").build()).create();
        operator = FerryOperator.start(client, OperatorSettings.defaults().withExitOnStopLeading(false));
    }

    @AfterAll
    static void stop() {
        operator.close();
        api.close();
    }

    /** What happens to a malformed job. */
    sealed interface Outcome {
    }

    /** Refused at apply: the field the cause names and words of the message. */
    record RefusedAtApply(String field, String words) implements Outcome {
        @Override
        public String toString() {
            return "refused at apply: " + field;
        }
    }

    /** Accepted, then {@code Ready=False InvalidSpec} with these words in its message. */
    record NotReady(String words) implements Outcome {
        @Override
        public String toString() {
            return "Ready=False InvalidSpec";
        }
    }

    /** How the malformed spec reaches the server: as a new job, or as a change of a valid job. */
    enum Write { CREATE, UPDATE }

    static Stream<Arguments> malformedSpecs() {
        return Stream.of(
                // required fields
                created("no bucket", s -> dest(s).remove("bucket"), refused("spec.destination.bucket", "Required value")),
                created("no destination", s -> s.remove("destination"), refused("spec.destination", "Required value")),
                created("no source", s -> s.remove("source"), refused("spec.source", "Required value")),
                created("no source claim", s -> source(s).remove("pvc"), refused("spec.source.pvc", "Required value")),
                // the destination
                created("bucket with capitals", s -> dest(s).put("bucket", "My_Bucket"),
                        refused("spec.destination.bucket", "should match")),
                created("bucket of two characters", s -> dest(s).put("bucket", "ab"),
                        refused("spec.destination.bucket", "should match")),
                created("endpoint without a scheme", s -> dest(s).putArray("endpoints").add("s3.example.com"),
                        refused("spec.destination", "every endpoint must be an http:// or https:// URL")),
                created("ftp endpoint", s -> dest(s).putArray("endpoints").add("ftp://s3.example.com"),
                        refused("spec.destination", "every endpoint must be an http:// or https:// URL")),
                created("endpoint with a space", s -> dest(s).putArray("endpoints").add("http://a b"),
                        refused("spec.destination", "every endpoint must be an http:// or https:// URL")),
                created("17 endpoints", s -> {
                    var endpoints = dest(s).putArray("endpoints");
                    for (int i = 0; i < 17; i++) {
                        endpoints.add("http://gw" + i + ":9000");
                    }
                }, refused("spec.destination.endpoints", "Too many: 17: must have at most 16 items")),
                created("absolute prefix", s -> dest(s).put("prefix", "/data"),
                        refused("spec.destination", "prefix must not start with '/'")),
                created("prefix with an empty segment", s -> dest(s).put("prefix", "archive//2024"),
                        refused("spec.destination", "prefix must not have an empty segment ('//')")),
                created("prefix with a '..' segment", s -> dest(s).put("prefix", "archive/../other"),
                        refused("spec.destination", "or a '.' or '..' segment")),
                created("endpoints not a list", s -> dest(s).put("endpoints", "http://a"),
                        refused("spec.destination.endpoints", "must be of type array")),
                updated("changed destination", s -> dest(s).put("bucket", "elsewhere"),
                        refused("spec", "destination is immutable: create a new job to migrate elsewhere")),
                created("missing credentials Secret", s -> dest(s).put("credentialsSecret", "nowhere"),
                        notReady("credentials Secret 'nowhere' not found in namespace default")),
                created("Secret without the secret key", s -> dest(s).put("credentialsSecret", "half"),
                        notReady("credentials Secret 'half' has no key " + Ferry.SECRET_SECRET_ACCESS_KEY)),
                // modes
                created("unknown mode", s -> s.put("mode", "Teleport"), refused("spec.mode", "Unsupported value: \"Teleport\"")),
                created("unknown verify", s -> s.put("verify", "Sha1"), refused("spec.verify", "Unsupported value")),
                created("unknown overwrite", s -> s.put("overwrite", "Sometimes"), refused("spec.overwrite", "Unsupported value")),
                created("unknown audit", s -> s.put("audit", "Twice"), refused("spec.audit", "Unsupported value")),
                created("Move verified by size", s -> s.put("mode", "Move").put("verify", "Size"),
                        refused("spec", "mode Move requires verify Checksum")),
                created("Move that never overwrites", s -> s.put("mode", "Move").put("overwrite", "Never"),
                        refused("spec", "mode Move cannot be combined with overwrite Never")),
                // tasks
                created("maxFiles 0", s -> tasks(s).put("maxFiles", 0),
                        refused("spec.tasks.maxFiles", "should be greater than or equal to 1")),
                created("negative maxFiles", s -> tasks(s).put("maxFiles", -5),
                        refused("spec.tasks.maxFiles", "should be greater than or equal to 1")),
                created("maxFiles as words", s -> tasks(s).put("maxFiles", "many"),
                        refused("spec.tasks.maxFiles", "must be of type integer")),
                created("maxFiles above the limit", s -> tasks(s).put("maxFiles", 1_000_000),
                        refused("spec.tasks.maxFiles", "should be less than or equal to 10000")),
                created("negative maxBytes", s -> tasks(s).put("maxBytes", "-1Gi"), refused("spec.tasks.maxBytes", "should match")),
                created("zero maxBytes", s -> tasks(s).put("maxBytes", "0"), notReady("spec.tasks.maxBytes '0' must be positive")),
                created("maxAttempts 0", s -> tasks(s).put("maxAttempts", 0),
                        refused("spec.tasks.maxAttempts", "greater than or equal to 1")),
                created("stall timeout in words", s -> tasks(s).put("stallTimeout", "soon"),
                        refused("spec.tasks.stallTimeout", "should match")),
                created("negative history", s -> tasks(s).put("historyLimit", -1),
                        refused("spec.tasks.historyLimit", "greater than or equal to 0")),
                // workers
                created("part size in words", s -> workers(s).put("partSize", "big"), refused("spec.workers.partSize", "should match")),
                created("part size below S3's minimum", s -> workers(s).put("partSize", "1Mi"),
                        notReady("spec.workers.partSize '1Mi' must be between 5Mi (S3's smallest part) and 1Gi")),
                created("part size above what a worker holds", s -> workers(s).put("partSize", "2Gi"),
                        notReady("spec.workers.partSize '2Gi' must be between 5Mi (S3's smallest part) and 1Gi")),
                created("negative replicas", s -> workers(s).put("replicas", -1),
                        refused("spec.workers.replicas", "greater than or equal to 0")),
                created("concurrency 0", s -> workers(s).put("concurrency", 0),
                        refused("spec.workers.concurrency", "greater than or equal to 1")),
                created("bandwidth in words", s -> workers(s).put("bandwidthLimit", "fast"),
                        refused("spec.workers.bandwidthLimit", "should match")),
                created("zero bandwidth", s -> workers(s).put("bandwidthLimit", "0"),
                        notReady("spec.workers.bandwidthLimit '0' must be positive")),
                // the source
                created("missing source claim", s -> source(s).put("pvc", "nas-typo"),
                        notReady("source PersistentVolumeClaim 'nas-typo' (spec.source.pvc) not found in namespace default:"
                                + " create it")),
                created("relative source path", s -> source(s).put("path", "data"), refused("spec.source.path", "should match")),
                created("source path that climbs out", s -> source(s).put("path", "/data/../../etc"),
                        notReady("spec.source.path '/data/../../etc' must be absolute within the volume and must not"
                                + " contain '..'")),
                created("file age in words", s -> source(s).put("minFileAge", "yesterday"),
                        refused("spec.source.minFileAge", "should match")),
                created("unknown symlink policy", s -> source(s).put("symlinks", "Copy"),
                        refused("spec.source.symlinks", "Unsupported value")),
                created("unknown mark of migrated files", s -> source(s).put("markMigrated", "Sticker"),
                        refused("spec.source.markMigrated", "Unsupported value")),
                created("Move that marks the files it deletes", s -> {
                    s.put("mode", "Move");
                    source(s).put("markMigrated", "Xattr");
                }, refused("spec", "source.markMigrated Xattr cannot be combined with mode Move")),
                // recurring runs
                created("schedule that is not five fields", s -> s.put("schedule", "every night"),
                        refused("spec.schedule", "should match")),
                created("schedule that does not parse", s -> s.put("schedule", "99 * * * *"),
                        notReady("spec.schedule")),
                created("schedule with a TTL", s -> s.put("schedule", "0 2 * * *").put("ttlSecondsAfterFinished", 60),
                        refused("spec", "ttlSecondsAfterFinished cannot be combined with schedule")),
                created("time zone without a schedule", s -> s.put("scheduleTimeZone", "Europe/Berlin"),
                        refused("spec", "scheduleTimeZone needs a schedule")),
                created("include not a list", s -> source(s).put("include", "*.txt"),
                        refused("spec.source.include", "must be of type array")),
                created("include glob that does not compile", s -> source(s).putArray("include").add("*.csv").add("data/[abc"),
                        notReady("spec.source.include[1] 'data/[abc' is not a glob")),
                created("exclude glob that does not compile", s -> source(s).putArray("exclude").add("{a,b"),
                        notReady("spec.source.exclude[0] '{a,b' is not a glob")),
                // notifications
                created("Kafka without a topic", s -> kafka(s).put("bootstrapServers", "localhost:9092"),
                        refused("spec.notifications.kafka.topic", "Required value")),
                created("Kafka servers with spaces", s -> kafka(s).put("bootstrapServers", "a:9092, b:9092").put("topic", "t"),
                        refused("spec.notifications.kafka.bootstrapServers", "should match")),
                created("missing Kafka Secret", s -> kafka(s).put("bootstrapServers", "localhost:9092").put("topic", "t")
                        .put("secret", "kafka-client"),
                        notReady("Kafka Secret 'kafka-client' (spec.notifications.kafka.secret) not found")),
                // the rest
                created("negative TTL", s -> s.put("ttlSecondsAfterFinished", -1),
                        refused("spec.ttlSecondsAfterFinished", "greater than or equal to 0")),
                created("suspend as text", s -> s.put("suspend", "yes"), refused("spec.suspend", "must be of type boolean")));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("malformedSpecs")
    void isRefusedAtApplyNamingTheFieldOrAcceptedAndNotReadyWithWhatToFix(String what, Write write,
            Consumer<ObjectNode> change, Outcome outcome) {
        ObjectNode job = JobManifests.validJob("malformed-" + NAMES.incrementAndGet(), NAMESPACE, CLAIM, SECRET);
        String name = JobManifests.name(job);
        if (write == Write.UPDATE) {
            JobManifests.create(client, job);
        }
        change.accept(JobManifests.spec(job));

        if (outcome instanceof RefusedAtApply refused) {
            assertThatThrownBy(() -> apply(write, job)).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
                assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
                assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
                        .contains(refused.field());
                assertThat(e.getStatus().getMessage()).contains("MigrationJob.ferry.dev \"" + name + "\" is invalid")
                        .contains(refused.field() + ": ").contains(refused.words());
            });
            if (write == Write.CREATE) {
                assertThat(JobManifests.get(client, NAMESPACE, name)).as("nothing stored").isNull();
            }
        } else if (outcome instanceof NotReady notReady) {
            apply(write, job);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ready(name))
                    .hasValueSatisfying(ready -> {
                        assertThat(ready.getStatus()).isEqualTo("False");
                        assertThat(ready.getReason()).isEqualTo("InvalidSpec");
                        assertThat(ready.getMessage()).contains(notReady.words());
                    }));
            assertThat(tasksOf(name)).as("no task of a job that cannot run").isEmpty();
            NOT_READY.put(name, JobManifests.get(client, NAMESPACE, name).getMetadata().getResourceVersion());
        }
    }

    @Order(2)
    @Test
    void noneHoldsUpAValidJobBesideItNorIsWrittenAgainAndAgain() throws InterruptedException {
        assertThat(NOT_READY).as("the malformed jobs that were accepted").hasSizeGreaterThanOrEqualTo(10);
        ObjectNode valid = JobManifests.validJob("valid-beside-malformed", NAMESPACE, CLAIM, SECRET);
        // A bucket of its own: the valid jobs whose updates were refused write the root of "archive", and a job
        // that would write their keys waits for them (operator lifecycle/OverlappingJobs); the malformed ones hold nothing.
        JobManifests.dest(JobManifests.spec(valid)).put("bucket", "beside-malformed");

        JobManifests.create(client, valid);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tasksOf(JobManifests.name(valid)))
                .extracting(t -> t.getSpec().type).contains(TaskType.Plan));
        Thread.sleep(2_000);
        Map<String, String> now = NOT_READY.keySet().stream().collect(Collectors.toMap(name -> name,
                name -> JobManifests.get(client, NAMESPACE, name).getMetadata().getResourceVersion()));
        assertThat(now).as("resourceVersions of the not-ready jobs, 2 s and many reconciles later")
                .isEqualTo(Map.copyOf(NOT_READY));
    }

    // --- helpers -------------------------------------------------------------------------------

    private static void apply(Write write, ObjectNode job) {
        if (write == Write.CREATE) {
            JobManifests.create(client, job);
            return;
        }
        GenericKubernetesResource changed = Serialization.unmarshal(
                job.toString(), GenericKubernetesResource.class);
        client.genericKubernetesResources(JobManifests.JOBS).inNamespace(NAMESPACE).withName(JobManifests.name(job))
                .edit(stored -> {
                    stored.setAdditionalProperty("spec", changed.getAdditionalProperties().get("spec"));
                    return stored;
                });
    }

    private static Optional<Condition> ready(String name) {
        MigrationJob job = client.resources(MigrationJob.class).inNamespace(NAMESPACE).withName(name).get();
        if (job == null || job.getStatus() == null || job.getStatus().conditions == null) {
            return Optional.empty();
        }
        return job.getStatus().conditions.stream().filter(c -> c.getType().equals("Ready")).findFirst();
    }

    private static List<MigrationTask> tasksOf(String job) {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withLabel(Ferry.JOB_LABEL, job)
                .list().getItems();
    }

    private static Arguments created(String what, Consumer<ObjectNode> change, Outcome outcome) {
        return Arguments.of(what, Write.CREATE, change, outcome);
    }

    private static Arguments updated(String what, Consumer<ObjectNode> change, Outcome outcome) {
        return Arguments.of(what, Write.UPDATE, change, outcome);
    }

    private static Outcome refused(String field, String words) {
        return new RefusedAtApply(field, words);
    }

    private static Outcome notReady(String words) {
        return new NotReady(words);
    }
}
