package dev.ferry.operator.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.Ferry;
import dev.ferry.api.KafkaSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.NotificationsSpec;
import dev.ferry.api.SecretKeyReference;
import dev.ferry.operator.TestObjects;
import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The digest on the worker pod template follows exactly the Secret values the workers are started with: a
 * rotated or fixed key changes it (and with it the template: the Deployment replaces its pods), nothing else
 * of the Secrets does, and a Secret that cannot be read leaves the workers as they are.
 */
@EnableKubernetesMockClient(crud = true)
class WorkerSecretsTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    private MigrationJob job;

    @BeforeEach
    void aJobAndItsCredentials() {
        client.secrets().inNamespace("ns").delete();
        job = TestObjects.job("j");
        job.getMetadata().setUid("uid-" + System.nanoTime());
        credentials("AKIA1", "secret1", Map.of());
    }

    @Test
    void aChangedKeyChangesTheDigestAndTheSecretsLabelsOrOtherKeysDoNot() {
        String first = digest(T0);
        assertThat(first).matches("[0-9a-f]{32}");
        assertThat(new WorkerSecrets(client).digest(job, null, T0, () -> false)).as("the same values, read by another operator")
                .contains(first);

        credentials("AKIA1", "secret1", Map.of("rotated-by", "vault", "note", "not for the workers"));
        assertThat(fresh()).as("labels and keys the workers do not get").isEqualTo(first);

        credentials("AKIA1", "secret2", Map.of());
        assertThat(fresh()).as("a rotated secret key").isNotEqualTo(first);

        credentials("AKIA1", "secret1", Map.of(Ferry.SECRET_SESSION_TOKEN, "token"));
        assertThat(fresh()).as("a session token added").isNotEqualTo(first);
    }

    @Test
    void theSecretsAreReadAgainOnlyOnceTheLastReadIsARecheckOld() {
        WorkerSecrets secrets = new WorkerSecrets(client);
        String first = secrets.digest(job, null, T0, () -> false).orElseThrow();
        credentials("AKIA2", "secret2", Map.of());

        assertThat(secrets.digest(job, null, T0.plus(WorkerSecrets.RECHECK).minusSeconds(1), () -> false)).contains(first);
        assertThat(secrets.digest(job, null, T0.plus(WorkerSecrets.RECHECK), () -> false)).isPresent().get().isNotEqualTo(first);
    }

    @Test
    void whileTheStoreRefusesTheCredentialsTheSecretsAreReadAgainSooner() {
        WorkerSecrets secrets = new WorkerSecrets(client);
        String first = secrets.digest(job, null, T0, () -> true).orElseThrow();
        credentials("AKIA1", "the-right-one", Map.of());
        Instant soon = T0.plus(WorkerSecrets.RECHECK_WHILE_REFUSED);

        assertThat(secrets.digest(job, null, soon.minusSeconds(1), () -> true)).contains(first);
        assertThat(secrets.digest(job, null, soon, () -> false)).as("the store takes them: no hurry").contains(first);
        assertThat(secrets.digest(job, null, soon, () -> true)).isPresent().get().isNotEqualTo(first);
    }

    @Test
    void aSecretThatCannotBeReadLeavesTheDigestTheWorkersHave() {
        Deployment running = deploymentWith(Optional.of("digest-the-pods-started-with"));
        client.secrets().inNamespace("ns").withName("creds").delete();

        assertThat(new WorkerSecrets(client).digest(job, running, T0, () -> false)).contains("digest-the-pods-started-with");
        assertThat(new WorkerSecrets(client).digest(job, deploymentWith(Optional.empty()), T0, () -> false)).isEmpty();
        assertThat(new WorkerSecrets(client).digest(job, null, T0, () -> false)).isEmpty();
    }

    @Test
    void theEndpointsCaAndEveryKeyOfTheKafkaSecretCount() {
        String plain = fresh();

        job.getSpec().destination.endpointCA = new SecretKeyReference();
        job.getSpec().destination.endpointCA.name = "ca";
        secret("ca", Map.of("ca.crt", "PEM-1"));
        String withCa = fresh();
        assertThat(withCa).isNotEqualTo(plain);
        secret("ca", Map.of("ca.crt", "PEM-2"));
        assertThat(fresh()).isNotEqualTo(withCa);

        job.getSpec().notifications = new NotificationsSpec();
        job.getSpec().notifications.kafka = new KafkaSpec();
        job.getSpec().notifications.kafka.secret = "kafka";
        secret("kafka", Map.of("sasl.jaas.config", "password=one"));
        String withKafka = fresh();
        secret("kafka", Map.of("sasl.jaas.config", "password=two"));
        assertThat(fresh()).isNotEqualTo(withKafka);
        secret("kafka", Map.of("sasl.jaas.config", "password=two", "security.protocol", "SASL_SSL"));
        assertThat(fresh()).as("every key reaches the worker (envFrom)").isNotEqualTo(withKafka);

        client.secrets().inNamespace("ns").withName("kafka").delete();
        assertThat(new WorkerSecrets(client).digest(job, null, T0, () -> false)).as("one of them missing").isEmpty();
    }

    private String fresh() {
        return digest(T0);
    }

    private String digest(Instant now) {
        return new WorkerSecrets(client).digest(job, null, now, () -> false).orElseThrow();
    }

    private void credentials(String accessKey, String secretKey, Map<String, String> more) {
        Map<String, String> data = new HashMap<>(more);
        data.put(Ferry.SECRET_ACCESS_KEY_ID, accessKey);
        data.put(Ferry.SECRET_SECRET_ACCESS_KEY, secretKey);
        Secret secret = new SecretBuilder().withNewMetadata().withName("creds").withNamespace("ns")
                .withLabels(more.isEmpty() ? Map.of() : Map.of("rotation", "1")).endMetadata()
                .withStringData(data).build();
        client.secrets().inNamespace("ns").resource(secret).createOr(s -> s.update());
    }

    private void secret(String name, Map<String, String> data) {
        Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace("ns").endMetadata()
                .withStringData(data).build();
        client.secrets().inNamespace("ns").resource(secret).createOr(s -> s.update());
    }

    private Deployment deploymentWith(Optional<String> digest) {
        return new DeploymentBuilder(new WorkerDeploymentFactory(OperatorSettings.defaults())
                .desired(job, 1, digest)).build();
    }
}
