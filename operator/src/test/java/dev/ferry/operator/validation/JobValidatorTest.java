package dev.ferry.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.Ferry;
import dev.ferry.api.KafkaSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.NotificationsSpec;
import dev.ferry.api.SecretKeyReference;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.WorkersSpec;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the schema cannot say about a job, said by the operator as {@code Ready=False InvalidSpec} with a
 * message naming the field and what to do: the claim and Secrets it needs, globs that do not compile, part sizes
 * that S3 refuses, paths that leave the volume.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class JobValidatorTest {
    private static final Instant START = Instant.parse("2026-12-03T10:00:00Z");
    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeEach
    void claimAndCredentials() {
        client.persistentVolumeClaims().inNamespace("ns").resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data").endMetadata().build()).createOrReplace();
        client.secrets().inNamespace("ns").resource(new SecretBuilder().withNewMetadata()
                .withName("creds").endMetadata()
                .addToStringData(Ferry.SECRET_ACCESS_KEY_ID, "id")
                .addToStringData(Ferry.SECRET_SECRET_ACCESS_KEY, "secret").build()).createOrReplace();
    }

    static Stream<Arguments> acceptedButUnusable() {
        return Stream.of(
                unusable("missing source claim", s -> s.source.pvc = "nas-typo",
                        "source PersistentVolumeClaim 'nas-typo' (spec.source.pvc) not found in namespace ns: create it"),
                unusable("missing credentials Secret", s -> s.destination.credentialsSecret = "nowhere",
                        "credentials Secret 'nowhere' not found in namespace ns"),
                unusable("Secret without the secret key", s -> {
                    client.secrets().inNamespace("ns").resource(new SecretBuilder().withNewMetadata()
                            .withName("half").endMetadata().addToStringData(Ferry.SECRET_ACCESS_KEY_ID, "id").build())
                            .createOrReplace();
                    s.destination.credentialsSecret = "half";
                }, "has no key " + Ferry.SECRET_SECRET_ACCESS_KEY),
                unusable("missing Kafka Secret", s -> {
                    s.notifications = new NotificationsSpec();
                    s.notifications.kafka = new KafkaSpec();
                    s.notifications.kafka.bootstrapServers = "localhost:9092";
                    s.notifications.kafka.topic = "t";
                    s.notifications.kafka.secret = "kafka-client";
                }, "Kafka Secret 'kafka-client' (spec.notifications.kafka.secret) not found"),
                unusable("missing Secret of the endpoints' CA", s -> s.destination.endpointCA =
                                new SecretKeyReference("store-ca", null),
                        "spec.destination.endpointCA: Secret 'store-ca' key 'ca.crt': the Secret is not found in namespace ns"),
                unusable("Secret of the endpoints' CA without the key", s -> s.destination.endpointCA =
                                new SecretKeyReference("creds", "internal-ca.pem"),
                        "spec.destination.endpointCA: Secret 'creds' key 'internal-ca.pem': no such key"),
                unusable("endpoints' CA that is not a certificate", s -> {
                    client.secrets().inNamespace("ns").resource(new SecretBuilder().withNewMetadata()
                            .withName("store-ca").endMetadata().addToStringData("ca.crt", "the CA's name, not its PEM")
                            .build()).createOrReplace();
                    s.destination.endpointCA = new SecretKeyReference("store-ca", null);
                }, "key 'ca.crt': it is not PEM certificates (-----BEGIN CERTIFICATE-----)"),
                unusable("include glob that does not compile", s -> s.source.include = List.of("*.csv", "data/[abc"),
                        "spec.source.include[1] 'data/[abc' is not a glob"),
                unusable("exclude glob that does not compile", s -> s.source.exclude = List.of("{a,b"),
                        "spec.source.exclude[0] '{a,b' is not a glob"),
                unusable("prefix with an empty segment", s -> s.destination.prefix = "archive//2024",
                        "spec.destination.prefix 'archive//2024' is no key prefix Ferry writes: it has an empty segment"),
                unusable("prefix with a '..' segment", s -> s.destination.prefix = "archive/../x",
                        "it has a '..' segment"),
                unusable("source path that leaves the volume", s -> s.source.path = "/data/../../etc",
                        "must not contain '..'"),
                unusable("part size below S3's minimum", s -> workers(s).partSize = "1Mi",
                        "spec.workers.partSize '1Mi' must be between 5Mi (S3's smallest part) and 1Gi"),
                unusable("part size above what a worker holds", s -> workers(s).partSize = "2Gi",
                        "spec.workers.partSize '2Gi' must be between 5Mi (S3's smallest part) and 1Gi"),
                unusable("zero maxBytes", s -> tasks(s).maxBytes = "0", "spec.tasks.maxBytes '0' must be positive"),
                unusable("zero bandwidth", s -> workers(s).bandwidthLimit = "0",
                        "spec.workers.bandwidthLimit '0' must be positive"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedButUnusable")
    void saysWhatToFix(String what, Consumer<MigrationJobSpec> change, String words) {
        MigrationJob job = TestObjects.job("j");
        change.accept(job.getSpec());

        assertThat(new JobValidator(client).validate(state(job))).hasValueSatisfying(invalid ->
                assertThat(invalid.message()).contains(words));
    }

    @Test
    void acceptsAJobWhoseClaimAndSecretsExistAndWhoseValuesParse() {
        MigrationJob job = TestObjects.job("j");
        job.getSpec().source.include = List.of("**/*.csv", "logs/{a,b}/*");
        workers(job.getSpec()).partSize = "5Mi";

        assertThat(new JobValidator(client).validate(state(job))).isEmpty();
    }

    @Test
    void acceptsAJobWithoutACredentialsSecretWhoseWorkersUseTheirOwnIdentity() {
        MigrationJob job = TestObjects.job("j");
        job.getSpec().destination.credentialsSecret = null;

        assertThat(new JobValidator(client).validate(state(job))).isEmpty();
    }

    @Test
    void refusesWorkerPodLabelsAndAnnotationsThatAreFerrysOrThatTheApiServerWouldRefuse() {
        MigrationJob job = TestObjects.job("j");
        workers(job.getSpec()).podLabels = Map.of("ferry.dev/job", "other", "team", "-x-");
        workers(job.getSpec()).podAnnotations = Map.of("example.com/ok", "any text: fine", "bad key!", "v");

        assertThat(new JobValidator(client).validate(state(job))).hasValueSatisfying(invalid -> assertThat(invalid.message())
                .contains("spec.workers.podLabels: ferry.dev/job is under ferry.dev/, which is Ferry's")
                .contains("spec.workers.podLabels[team]: the value \"-x-\" is no label value")
                .contains("spec.workers.podAnnotations: \"bad key!\" is no key")
                .doesNotContain("example.com/ok"));

        workers(job.getSpec()).podLabels = Map.of("team", "photos", "example.com/cost-center", "");
        workers(job.getSpec()).podAnnotations = Map.of("sidecar.istio.io/inject", "false");
        assertThat(new JobValidator(client).validate(state(job))).isEmpty();
    }

    @Test
    void refusesANameTooLongToLabelTheJobsTasksAndPods() {
        MigrationJob job = TestObjects.job("j".repeat(64));

        assertThat(new JobValidator(client).validate(state(job))).hasValueSatisfying(invalid ->
                assertThat(invalid.message()).contains("metadata.name is 64 characters long, more than 63"));
        assertThat(new JobValidator(client).validate(state(TestObjects.job("j".repeat(63))))).isEmpty();
    }

    @Test
    void acceptsAnEndpointCaSecretHoldingPemCertificates() throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        X509Certificate someCa = ((X509TrustManager) factory.getTrustManagers()[0]).getAcceptedIssuers()[0];
        String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(someCa.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        client.secrets().inNamespace("ns").resource(new SecretBuilder().withNewMetadata().withName("store-ca")
                .endMetadata().addToStringData("ca.crt", pem).build()).createOrReplace();
        MigrationJob job = TestObjects.job("j");
        job.getSpec().destination.endpointCA = new SecretKeyReference("store-ca", null);

        assertThat(new JobValidator(client).validate(state(job))).isEmpty();
    }

    @Test
    void trustsTheClaimAndSecretsFoundForAGenerationForAWhileAndLooksAgainAfterItOrOnAChange() {
        JobValidator validator = new JobValidator(client);
        MigrationJob job = jobOfGenerationOne("uid-1");
        assertThat(validator.validate(state(job, START))).isEmpty();

        client.secrets().inNamespace("ns").withName("creds").delete();

        Instant soon = START.plus(JobValidator.REFERENCES_RECHECK).minusSeconds(1);
        assertThat(validator.validate(state(job, soon))).as("same generation, within the window").isEmpty();
        assertThat(validator.validate(state(job, START.plus(JobValidator.REFERENCES_RECHECK))))
                .hasValueSatisfying(invalid -> assertThat(invalid.message()).contains("credentials Secret 'creds'"));

        JobValidator fresh = new JobValidator(client);
        claimAndCredentials();
        assertThat(fresh.validate(state(job, START))).isEmpty();
        client.secrets().inNamespace("ns").withName("creds").delete();
        job.getMetadata().setGeneration(2L);
        assertThat(fresh.validate(state(job, START.plusSeconds(1)))).as("a new generation looks at once")
                .hasValueSatisfying(invalid -> assertThat(invalid.message()).contains("credentials Secret 'creds'"));
    }

    @Test
    void looksAgainAtOnceAfterAFailureAndAfterTheJobIsForgotten() {
        JobValidator validator = new JobValidator(client);
        MigrationJob job = jobOfGenerationOne("uid-2");
        client.secrets().inNamespace("ns").withName("creds").delete();
        assertThat(validator.validate(state(job, START))).isPresent();

        claimAndCredentials();
        assertThat(validator.validate(state(job, START.plusSeconds(1)))).as("a Secret created after a refusal").isEmpty();

        validator.forget("uid-2");
        client.secrets().inNamespace("ns").withName("creds").delete();
        assertThat(validator.validate(state(job, START.plusSeconds(2)))).as("forgotten: looked up again").isPresent();
    }

    private static Arguments unusable(String what, Consumer<MigrationJobSpec> change, String words) {
        return Arguments.of(what, change, words);
    }

    private static MigrationJob jobOfGenerationOne(String uid) {
        MigrationJob job = TestObjects.job("j");
        job.getMetadata().setUid(uid);
        job.getMetadata().setGeneration(1L);
        return job;
    }

    private static JobState state(MigrationJob job) {
        return state(job, Instant.now());
    }

    private static JobState state(MigrationJob job, Instant now) {
        return new JobState(job, List.of(), List.of(), null, now);
    }

    private static WorkersSpec workers(MigrationJobSpec spec) {
        if (spec.workers == null) {
            spec.workers = new WorkersSpec();
        }
        return spec.workers;
    }

    private static TasksSpec tasks(MigrationJobSpec spec) {
        if (spec.tasks == null) {
            spec.tasks = new TasksSpec();
        }
        return spec.tasks;
    }
}
