package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.operator.FerryOperator;
import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Specs the schema accepts but that cannot run, applied through the local API with the operator running:
 * each job gets {@code Ready=False} with reason {@code InvalidSpec} and a message that names the field and
 * what to fix, and no task — the operator neither crashes nor retries in a loop. The schema's refusals are
 * {@link JobSpecAdmissionIT}'s.
 */
class UnusableJobSpecsIT {
    private static final AtomicInteger NAMES = new AtomicInteger();

    static LocalKubernetesApi api;
    static KubernetesClient client;
    static FerryOperator operator;

    @BeforeAll
    static void startTheApiAndTheOperator() throws Exception {
        api = LocalApis.withFerryCrds();
        client = api.client();
        client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("s3")
                .endMetadata().addToStringData(Ferry.SECRET_ACCESS_KEY_ID, "id")
                .addToStringData(Ferry.SECRET_SECRET_ACCESS_KEY, "secret").build()).create();
        client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("half")
                .endMetadata().addToStringData(Ferry.SECRET_ACCESS_KEY_ID, "id").build()).create();
        operator = FerryOperator.start(client, OperatorSettings.defaults().withExitOnStopLeading(false));
    }

    @AfterAll
    static void stop() {
        operator.close();
        api.close();
    }

    static Stream<Arguments> unusableSpecs() {
        return Stream.of(
                unusable("missing credentials Secret", "credentialsSecret: nowhere", "", "",
                        "credentials Secret 'nowhere' not found in namespace default"),
                unusable("Secret without the secret key", "credentialsSecret: half", "", "",
                        "credentials Secret 'half' has no key " + Ferry.SECRET_SECRET_ACCESS_KEY),
                unusable("missing Kafka Secret", "credentialsSecret: s3", "", """
                        notifications:
                          kafka: {bootstrapServers: "localhost:9092", topic: t, secret: kafka-client}
                        """, "Kafka Secret 'kafka-client' (spec.notifications.kafka.secret) not found"),
                unusable("include glob that does not compile", "credentialsSecret: s3", "include: [\"data/[abc\"]",
                        "", "spec.source.include[0] 'data/[abc' is not a glob"),
                unusable("source path that climbs out", "credentialsSecret: s3", "path: /data/../../etc", "",
                        "must not contain '..'"),
                unusable("part size below S3's minimum", "credentialsSecret: s3", "", "workers: {partSize: 1Mi}",
                        "spec.workers.partSize '1Mi' must be between 5Mi (S3's smallest part) and 1Gi"),
                unusable("part size above what a worker holds", "credentialsSecret: s3", "", "workers: {partSize: 2Gi}",
                        "spec.workers.partSize '2Gi' must be between 5Mi (S3's smallest part) and 1Gi"),
                unusable("zero maxBytes", "credentialsSecret: s3", "", "tasks: {maxBytes: \"0\"}",
                        "spec.tasks.maxBytes '0' must be positive"),
                unusable("zero bandwidth", "credentialsSecret: s3", "", "workers: {bandwidthLimit: \"0\"}",
                        "spec.workers.bandwidthLimit '0' must be positive"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableSpecs")
    void isAcceptedThenReadyFalseWithWhatToFixAndNoTask(String what, String destinationLine, String sourceLine,
                                                        String specLines, String words) {
        String name = "unusable-" + NAMES.incrementAndGet();
        String yaml = """
                apiVersion: ferry.dev/v1alpha1
                kind: MigrationJob
                metadata:
                  name: %s
                  namespace: default
                spec:
                  source:
                    pvc: data
                    %s
                  destination:
                    bucket: archive
                    %s
                %s""".formatted(name, sourceLine, destinationLine, specLines.indent(2));
        client.resources(MigrationJob.class).inNamespace("default")
                .resource(Serialization.unmarshal(yaml, MigrationJob.class)).create();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            MigrationJob job = client.resources(MigrationJob.class).inNamespace("default").withName(name).get();
            assertThat(job.getStatus()).isNotNull();
            assertThat(job.getStatus().conditions).filteredOn(c -> c.getType().equals("Ready")).singleElement()
                    .satisfies(ready -> {
                        assertThat(ready.getStatus()).isEqualTo("False");
                        assertThat(ready.getReason()).isEqualTo("InvalidSpec");
                        assertThat(ready.getMessage()).contains(words);
                    });
        });
        assertThat(client.resources(MigrationTask.class).inNamespace("default").withLabel(Ferry.JOB_LABEL, name)
                .list().getItems()).as("no task of a job that cannot run").isEmpty();
    }

    private static Arguments unusable(String what, String destinationLine, String sourceLine, String specLines,
                                      String words) {
        return Arguments.of(what, destinationLine, sourceLine, specLines, words);
    }
}
