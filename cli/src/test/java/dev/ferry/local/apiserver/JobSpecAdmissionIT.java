package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The local API admits custom resources as a real API server does: a malformed {@code MigrationJob} is
 * refused at create with {@code 422 Invalid} and a cause that names the field; defaults are set; unknown
 * fields are pruned; the CRD's CEL rules, transition rules included, hold on every write.
 */
class JobSpecAdmissionIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ResourceDefinitionContext JOBS = new ResourceDefinitionContext.Builder()
            .withGroup("ferry.dev").withVersion("v1alpha1").withPlural("migrationjobs").withKind("MigrationJob")
            .withNamespaced(true).build();
    private static final AtomicInteger NAMES = new AtomicInteger();

    static LocalKubernetesApi api;
    static KubernetesClient client;

    @BeforeAll
    static void startWithTheCrds() throws Exception {
        api = LocalApis.withFerryCrds();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** A malformed spec: what is changed in a valid job, the field the refusal names, words of its message. */
    static Stream<Arguments> malformedSpecs() {
        return Stream.of(
                malformed("no bucket", s -> dest(s).remove("bucket"), "spec.destination.bucket", "Required value"),
                malformed("no destination", s -> s.remove("destination"), "spec.destination", "Required value"),
                malformed("no source", s -> s.remove("source"), "spec.source", "Required value"),
                malformed("no source claim", s -> source(s).remove("pvc"), "spec.source.pvc", "Required value"),
                malformed("no credentials Secret", s -> dest(s).remove("credentialsSecret"),
                        "spec.destination.credentialsSecret", "Required value"),
                malformed("bucket with capitals", s -> dest(s).put("bucket", "My_Bucket"), "spec.destination.bucket",
                        "should match"),
                malformed("bucket of two characters", s -> dest(s).put("bucket", "ab"), "spec.destination.bucket",
                        "should match"),
                malformed("endpoint without a scheme", s -> dest(s).putArray("endpoints").add("s3.example.com"),
                        "spec.destination", "every endpoint must be an http:// or https:// URL"),
                malformed("ftp endpoint", s -> dest(s).putArray("endpoints").add("ftp://s3.example.com"),
                        "spec.destination", "every endpoint must be an http:// or https:// URL"),
                malformed("endpoint with a space", s -> dest(s).putArray("endpoints").add("http://a b"),
                        "spec.destination", "every endpoint must be an http:// or https:// URL"),
                malformed("17 endpoints", s -> {
                    var endpoints = dest(s).putArray("endpoints");
                    for (int i = 0; i < 17; i++) {
                        endpoints.add("http://gw" + i + ":9000");
                    }
                }, "spec.destination.endpoints", "Too many: 17: must have at most 16 items"),
                malformed("absolute prefix", s -> dest(s).put("prefix", "/data"), "spec.destination",
                        "prefix must not start with '/'"),
                malformed("endpoints not a list", s -> dest(s).put("endpoints", "http://a"),
                        "spec.destination.endpoints", "must be of type array"),
                malformed("unknown mode", s -> s.put("mode", "Teleport"), "spec.mode",
                        "Unsupported value: \"Teleport\""),
                malformed("unknown verify", s -> s.put("verify", "Sha1"), "spec.verify", "Unsupported value"),
                malformed("unknown overwrite", s -> s.put("overwrite", "Sometimes"), "spec.overwrite",
                        "Unsupported value"),
                malformed("Move verified by size", s -> s.put("mode", "Move").put("verify", "Size"), "spec",
                        "mode Move requires verify Checksum"),
                malformed("Move that never overwrites", s -> s.put("mode", "Move").put("overwrite", "Never"), "spec",
                        "mode Move cannot be combined with overwrite Never"),
                malformed("maxFiles 0", s -> tasks(s).put("maxFiles", 0), "spec.tasks.maxFiles",
                        "should be greater than or equal to 1"),
                malformed("negative maxFiles", s -> tasks(s).put("maxFiles", -5), "spec.tasks.maxFiles",
                        "should be greater than or equal to 1"),
                malformed("maxFiles as words", s -> tasks(s).put("maxFiles", "many"), "spec.tasks.maxFiles",
                        "must be of type integer"),
                malformed("maxFiles above the limit", s -> tasks(s).put("maxFiles", 1_000_000), "spec.tasks.maxFiles",
                        "should be less than or equal to 10000"),
                malformed("negative maxBytes", s -> tasks(s).put("maxBytes", "-1Gi"), "spec.tasks.maxBytes",
                        "should match"),
                malformed("maxAttempts 0", s -> tasks(s).put("maxAttempts", 0), "spec.tasks.maxAttempts",
                        "greater than or equal to 1"),
                malformed("stall timeout in words", s -> tasks(s).put("stallTimeout", "soon"),
                        "spec.tasks.stallTimeout", "should match"),
                malformed("negative history", s -> tasks(s).put("historyLimit", -1), "spec.tasks.historyLimit",
                        "greater than or equal to 0"),
                malformed("part size in words", s -> workers(s).put("partSize", "big"), "spec.workers.partSize",
                        "should match"),
                malformed("negative replicas", s -> workers(s).put("replicas", -1), "spec.workers.replicas",
                        "greater than or equal to 0"),
                malformed("concurrency 0", s -> workers(s).put("concurrency", 0), "spec.workers.concurrency",
                        "greater than or equal to 1"),
                malformed("bandwidth in words", s -> workers(s).put("bandwidthLimit", "fast"),
                        "spec.workers.bandwidthLimit", "should match"),
                malformed("relative source path", s -> source(s).put("path", "data"), "spec.source.path",
                        "should match"),
                malformed("file age in words", s -> source(s).put("minFileAge", "yesterday"),
                        "spec.source.minFileAge", "should match"),
                malformed("unknown symlink policy", s -> source(s).put("symlinks", "Copy"), "spec.source.symlinks",
                        "Unsupported value"),
                malformed("include not a list", s -> source(s).put("include", "*.txt"), "spec.source.include",
                        "must be of type array"),
                malformed("Kafka without a topic", s -> s.putObject("notifications").putObject("kafka")
                        .put("bootstrapServers", "localhost:9092"), "spec.notifications.kafka.topic", "Required value"),
                malformed("Kafka servers with spaces", s -> s.putObject("notifications").putObject("kafka")
                        .put("bootstrapServers", "a:9092, b:9092").put("topic", "t"),
                        "spec.notifications.kafka.bootstrapServers", "should match"),
                malformed("negative TTL", s -> s.put("ttlSecondsAfterFinished", -1), "spec.ttlSecondsAfterFinished",
                        "greater than or equal to 0"),
                malformed("suspend as text", s -> s.put("suspend", "yes"), "spec.suspend", "must be of type boolean"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSpecs")
    void refusesAMalformedJobAtCreateNamingTheField(String what, Consumer<ObjectNode> change, String field,
                                                     String words) throws Exception {
        ObjectNode job = validJob();
        change.accept((ObjectNode) job.get("spec"));

        assertThatThrownBy(() -> create(job)).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
            assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
            assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField).contains(field);
            assertThat(e.getStatus().getMessage()).contains("MigrationJob.ferry.dev \"" + name(job) + "\" is invalid")
                    .contains(field + ": ").contains(words);
        });
        assertThat(client.genericKubernetesResources(JOBS).inNamespace("default").withName(name(job)).get()).isNull();
    }

    @Test
    void acceptsAValidJobAndSetsTheSchemaDefaults() throws Exception {
        ObjectNode job = validJob();
        tasks((ObjectNode) job.get("spec")).put("maxFiles", 250);

        GenericKubernetesResource created = create(job);

        Map<String, Object> spec = spec(created);
        assertThat(spec).containsEntry("mode", "Copy").containsEntry("verify", "Checksum")
                .containsEntry("overwrite", "IfDifferent");
        assertThat(map(spec, "tasks")).containsEntry("maxFiles", 250).containsEntry("maxAttempts", 5)
                .containsEntry("stallTimeout", "5m");
        assertThat(map(spec, "source")).containsEntry("path", "/");
    }

    @Test
    void prunesAnUnknownFieldWhenTheClientDoesNotAskForStrictValidation() throws Exception {
        ObjectNode job = validJob();
        dest((ObjectNode) job.get("spec")).put("bucketName", "typo");

        GenericKubernetesResource created = create(job);

        assertThat(map(spec(created), "destination")).doesNotContainKey("bucketName").containsKey("bucket");
    }

    @Test
    void refusesAChangeOfDestinationAndAcceptsAChangeOfAnythingElse() throws Exception {
        GenericKubernetesResource created = create(validJob());
        String name = created.getMetadata().getName();

        assertThatThrownBy(() -> client.genericKubernetesResources(JOBS).inNamespace("default").withName(name)
                .edit(j -> {
                    map(spec(j), "destination").put("bucket", "elsewhere");
                    return j;
                })).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getMessage())
                            .contains("destination is immutable: create a new job to migrate elsewhere");
                });
        GenericKubernetesResource suspended = client.genericKubernetesResources(JOBS).inNamespace("default")
                .withName(name).edit(j -> {
                    spec(j).put("suspend", true);
                    return j;
                });
        assertThat(spec(suspended)).containsEntry("suspend", true);
        assertThat(map(spec(suspended), "destination")).containsEntry("bucket", "archive");
    }

    @Test
    void validatesStatusWritesAgainstTheSchemaToo() throws Exception {
        GenericKubernetesResource created = create(validJob());
        created.setAdditionalProperty("status", Map.of("phase", "Exploded"));

        assertThatThrownBy(() -> client.genericKubernetesResources(JOBS).inNamespace("default").resource(created)
                .updateStatus()).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
                            .containsExactly("status.phase");
                });
    }

    @Test
    void refusesANameThatIsNotADnsSubdomain() throws Exception {
        ObjectNode job = validJob();
        ((ObjectNode) job.get("metadata")).put("name", "Nightly_Archive");

        assertThatThrownBy(() -> create(job)).isInstanceOfSatisfying(KubernetesClientException.class, e ->
                assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
                        .containsExactly("metadata.name"));
    }

    // --- helpers -------------------------------------------------------------------------------

    private static Arguments malformed(String what, Consumer<ObjectNode> change, String field, String words) {
        return Arguments.of(what, change, field, words);
    }

    private static ObjectNode validJob() throws Exception {
        return (ObjectNode) YAML.readTree("""
                apiVersion: ferry.dev/v1alpha1
                kind: MigrationJob
                metadata:
                  name: job-%d
                  namespace: default
                spec:
                  source:
                    pvc: nas-data
                  destination:
                    bucket: archive
                    credentialsSecret: s3-credentials
                """.formatted(NAMES.incrementAndGet()));
    }

    private static GenericKubernetesResource create(ObjectNode job) {
        GenericKubernetesResource resource = Serialization.unmarshal(job.toString(), GenericKubernetesResource.class);
        return client.genericKubernetesResources(JOBS).inNamespace("default").resource(resource).create();
    }

    private static String name(ObjectNode job) {
        return job.get("metadata").get("name").asText();
    }

    private static ObjectNode dest(ObjectNode spec) {
        return (ObjectNode) spec.get("destination");
    }

    private static ObjectNode source(ObjectNode spec) {
        return (ObjectNode) spec.get("source");
    }

    private static ObjectNode tasks(ObjectNode spec) {
        return spec.has("tasks") ? (ObjectNode) spec.get("tasks") : spec.putObject("tasks");
    }

    private static ObjectNode workers(ObjectNode spec) {
        return spec.has("workers") ? (ObjectNode) spec.get("workers") : spec.putObject("workers");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }
}
