package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example in samples/ is what a cluster admits: each document is a Kubernetes object (apiVersion, kind,
 * metadata.name); each MigrationJob — also one kept as a file in a ConfigMap, as the scheduled Sync keeps it —
 * parses into the api classes without unknown fields and passes the CRD's schema (CEL rules aside: see
 * {@link CrdSchemaCheck}); built-in kinds parse into Fabric8's models without fields those models do not know;
 * and a file that brings objects for its job names no claim or Secret that no sample defines.
 */
class SamplesTest {
    private static final Path SAMPLES = Path.of("..", "samples");
    private static final Path REPO = Path.of("..");
    private static final ObjectMapper STRICT = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    private static final CrdSchemaCheck JOB_SCHEMA = CrdSchemaCheck.of("migrationjobs.ferry.dev.yaml");
    /** Kinds whose samples parse into Fabric8's models: anything else is a custom resource (Argo CD's Application). */
    private static final Set<String> BUILT_IN_GROUPS = Set.of("v1", "apps/v1", "batch/v1", "storage.k8s.io/v1",
            "rbac.authorization.k8s.io/v1");

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void thereAreSamples() throws IOException {
        assertThat(samples()).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyDocumentIsAKubernetesObject(Path sample) throws IOException {
        List<JsonNode> docs = documents(sample);
        assertThat(docs).as("documents in %s", sample).isNotEmpty();
        for (JsonNode doc : docs) {
            String what = sample.getFileName() + ": " + doc.path("kind").asText("?") + " "
                    + doc.path("metadata").path("name").asText("?");
            assertThat(doc.path("apiVersion").asText("")).as("apiVersion of %s", what).isNotBlank();
            assertThat(doc.path("kind").asText("")).as("kind of %s", what).isNotBlank();
            assertThat(doc.path("metadata").path("name").asText("")).as("metadata.name of %s", what).isNotBlank();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMigrationJobInASampleParsesWithoutUnknownFieldsAndPassesTheCrdSchema(Path sample) throws IOException {
        for (JsonNode doc : migrationJobs(documents(sample))) {
            String name = doc.path("metadata").path("name").asText(doc.path("metadata").path("generateName").asText());
            assertThat(doc.path("apiVersion").asText()).isEqualTo(Ferry.API_VERSION);
            MigrationJob job = STRICT.treeToValue(doc, MigrationJob.class);
            assertThat(job.getSpec().source.pvc).as("spec.source.pvc of %s in %s", name, sample).isNotBlank();
            assertThat(job.getSpec().destination.bucket).matches(Patterns.BUCKET);
            if (job.getSpec().destination.credentialsSecret != null) { // none: the workers' own identity
                assertThat(job.getSpec().destination.credentialsSecret).isNotBlank();
            }
            assertThat(JOB_SCHEMA.problems(withName(doc)))
                    .as("MigrationJob %s in %s against crds/migrationjobs.ferry.dev.yaml", name, sample)
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void builtInKindsParseIntoTheKubernetesModelWithoutUnknownFields(Path sample) throws IOException {
        for (JsonNode doc : documents(sample)) {
            if (!BUILT_IN_GROUPS.contains(doc.path("apiVersion").asText())) {
                continue;
            }
            String what = sample.getFileName() + ": " + doc.path("kind").asText() + " " + doc.at("/metadata/name").asText();
            Object parsed = KUBERNETES.unmarshal(STRICT.writeValueAsString(doc));
            assertThat(parsed).as("%s is a kind the Kubernetes model knows", what)
                    .isInstanceOf(HasMetadata.class)
                    .isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(unknownFields(parsed, "", new IdentityHashMap<>()))
                    .as("fields of %s that its kind does not have", what)
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void aSampleThatBringsObjectsForItsJobNeedsNothingTheSamplesDoNotDefine(Path sample) throws IOException {
        List<JsonNode> docs = documents(sample);
        if (docs.stream().allMatch(SamplesTest::isMigrationJob)) {
            return; // a job alone: its claim and Secrets exist already (the dev cluster's, or migrationjob-nfs.yaml's)
        }
        List<JsonNode> everySample = new ArrayList<>();
        for (Path other : samples().toList()) {
            everySample.addAll(documents(other));
        }
        for (JsonNode job : migrationJobs(docs)) {
            String namespace = job.at("/metadata/namespace").asText("default");
            JsonNode spec = job.path("spec");
            String claim = spec.at("/source/pvc").asText();
            assertThat(find(everySample, "PersistentVolumeClaim", claim, namespace))
                    .as("%s: the job's claim %s in namespace %s, in this sample or another", sample, claim, namespace)
                    .isNotNull();
            String credentialsSecret = spec.at("/destination/credentialsSecret").asText("");
            if (!credentialsSecret.isEmpty()) { // none: the workers' own identity
                JsonNode credentials = find(everySample, "Secret", credentialsSecret, namespace);
                assertThat(credentials).as("%s: the job's credentials Secret %s in namespace %s, in this sample or another",
                        sample, credentialsSecret, namespace).isNotNull();
                assertThat(keys(credentials)).as("keys of the credentials Secret %s", credentialsSecret)
                        .contains("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
            }
            String kafkaSecret = spec.at("/notifications/kafka/secret").asText("");
            if (!kafkaSecret.isEmpty()) {
                JsonNode secret = find(everySample, "Secret", kafkaSecret, namespace);
                assertThat(secret).as("%s: the job's Kafka Secret %s", sample, kafkaSecret).isNotNull();
                assertThat(keys(secret)).as("keys of the Kafka Secret %s", kafkaSecret).contains("security.protocol");
            }
        }
    }

    @Test
    void theArgoCdApplicationInstallsTheChartOfThisRepository() throws IOException {
        JsonNode app = documents(SAMPLES.resolve("argocd-application.yaml")).get(0);
        assertThat(app.path("apiVersion").asText()).isEqualTo("argoproj.io/v1alpha1");
        assertThat(app.path("kind").asText()).isEqualTo("Application");
        String chart = app.at("/spec/source/path").asText();
        assertThat(REPO.resolve(chart).resolve("Chart.yaml")).as("spec.source.path %s", chart).exists();
        JsonNode values = STRICT.readTree(app.at("/spec/source/helm/values").asText("{}"));
        JsonNode defaults = STRICT.readTree(REPO.resolve(chart).resolve("values.yaml").toFile());
        values.fieldNames().forEachRemaining(key -> assertThat(defaults.has(key))
                .as("helm value %s is one of the chart's (values.yaml)", key).isTrue());
    }

    @Test
    void aMisspeltFieldIsRefused() {
        String yaml = """
                apiVersion: ferry.dev/v1alpha1
                kind: MigrationJob
                metadata: {name: typo}
                spec:
                  source: {pvc: data}
                  destination: {bucket: demo, credentialsSecret: s3, prefx: oops}
                """;
        assertThatThrownBy(() -> STRICT.readValue(yaml, MigrationJob.class))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("prefx");
    }

    @Test
    void theSchemaCheckRefusesWhatTheApiServerRefuses() throws IOException {
        JsonNode job = STRICT.readTree("""
                apiVersion: ferry.dev/v1alpha1
                kind: MigrationJob
                metadata: {name: bad}
                spec:
                  source: {path: relative}
                  destination: {bucket: Bad_Bucket, credentialsSecret: s3, endpoints: [1]}
                  mode: Moved
                  tasks: {maxFiles: 0, stallTimeout: soon}
                  workers: {concurrency: "16", resources: {limits: {memory: 2Gi, cpu: 2}}, colour: blue}
                  retries: 3
                """);
        assertThat(JOB_SCHEMA.problems(job)).containsExactlyInAnyOrder(
                "spec.source.path: \"relative\" does not match ^/.*$",
                "spec.source.pvc: Required value",
                "spec.destination.bucket: \"Bad_Bucket\" does not match ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                "spec.destination.endpoints[0]: expected string, found number",
                "spec.mode: Unsupported value \"Moved\", supported values: [\"Copy\",\"Move\",\"Sync\"]",
                "spec.tasks.maxFiles: 0 is less than 1.0",
                "spec.tasks.stallTimeout: \"soon\" does not match ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",
                "spec.workers.concurrency: expected integer, found string",
                "spec.workers.colour: unknown field",
                "spec.retries: unknown field");
    }

    private static boolean isMigrationJob(JsonNode doc) {
        return "MigrationJob".equals(doc.path("kind").asText());
    }

    /** The MigrationJobs of a file: its documents, and jobs kept as files in its ConfigMaps. */
    private static List<JsonNode> migrationJobs(List<JsonNode> docs) throws IOException {
        List<JsonNode> jobs = new ArrayList<>();
        for (JsonNode doc : docs) {
            if (isMigrationJob(doc)) {
                jobs.add(doc);
            } else if ("ConfigMap".equals(doc.path("kind").asText())) {
                for (JsonNode value : doc.path("data")) {
                    JsonNode embedded = STRICT.readTree(value.asText());
                    if (embedded != null && isMigrationJob(embedded)) {
                        jobs.add(embedded);
                    }
                }
            }
        }
        return jobs;
    }

    /** A job created with generateName (kubectl create) gets its name from the server: check it as named. */
    private static JsonNode withName(JsonNode job) {
        JsonNode metadata = job.path("metadata");
        if (!metadata.path("name").asText("").isEmpty() || !metadata.has("generateName")) {
            return job;
        }
        JsonNode copy = job.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("metadata"))
                .put("name", metadata.get("generateName").asText() + "abcde");
        return copy;
    }

    private static JsonNode find(List<JsonNode> docs, String kind, String name, String namespace) {
        return docs.stream()
                .filter(d -> kind.equals(d.path("kind").asText()))
                .filter(d -> name.equals(d.at("/metadata/name").asText()))
                .filter(d -> namespace.equals(d.at("/metadata/namespace").asText("default")))
                .findFirst().orElse(null);
    }

    private static List<String> keys(JsonNode secret) {
        List<String> keys = new ArrayList<>();
        secret.path("stringData").fieldNames().forEachRemaining(keys::add);
        secret.path("data").fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /**
     * Fabric8's models keep a field they do not know in {@code additionalProperties} instead of refusing it:
     * the paths of every such field in the object graph (a misspelt {@code accesModes} would land there).
     */
    private static List<String> unknownFields(Object value, String path, Map<Object, Boolean> seen) {
        List<String> unknown = new ArrayList<>();
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return unknown;
        }
        if (value instanceof Iterable<?> items) {
            int i = 0;
            for (Object item : items) {
                unknown.addAll(unknownFields(item, path + "[" + i++ + "]", seen));
            }
            return unknown;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknown.addAll(unknownFields(v, path + "." + k, seen)));
            return unknown;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return unknown;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties") && child instanceof Map<?, ?> extra) {
                extra.keySet().forEach(k -> unknown.add(path + "." + k));
            } else if (!Objects.equals(getter.getReturnType(), String.class)) {
                String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                unknown.addAll(unknownFields(child, path + "." + field, seen));
            }
        }
        return unknown;
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            var it = STRICT.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    docs.add(node);
                }
            }
        }
        return docs;
    }
}
