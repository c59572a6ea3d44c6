package dev.ferry.operator;

import static dev.ferry.operator.TestObjects.planned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.EventEncoding;
import dev.ferry.api.FileEntry;
import dev.ferry.api.JobPhase;
import dev.ferry.api.KafkaSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.NotificationsSpec;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.events.EventIds;
import dev.ferry.api.events.EventType;
import dev.ferry.api.events.FerryEvent;
import dev.ferry.api.events.JobEventData;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.notifications.NotificationsPending;
import dev.ferry.operator.notifications.PublisherFactory;
import dev.ferry.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's own events ({@code job.started}, {@code job.finished}) against the Fabric8 mock API server
 * in CRUD mode, with a fake Kafka that acknowledges at once, later or never. The test plays the workers
 * (task status writes, including {@code progress.eventsPending}).
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class JobNotificationsIT {
    private static final String KAFKA_SECRET = "kafka-client";
    private static final String SECRET_VALUE = "s3cr3t-pa55word";

    KubernetesMockServer server;
    KubernetesClient client;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<FerryOperator> operators = new ArrayList<>();
    private Cluster cluster;

    @BeforeEach
    void setUp() {
        cluster = new Cluster(client);
        cluster.installCrds();
        cluster.runAuditsThatPass();
        cluster.createClaimAndSecret();
    }

    @AfterEach
    void stopOperators() {
        cluster.stopAudits();
        operators.forEach(FerryOperator::close);
    }

    @Test
    void announcesTheStartOnceWithTheJobsKafkaSettings() {
        FakeKafka kafka = FakeKafka.acknowledgingAll();
        startOperator(kafka);
        createKafkaSecret();
        MigrationJob job = cluster.createJob("news", JobNotificationsIT::withKafka);
        String uid = job.getMetadata().getUid();

        await().untilAsserted(() -> {
            MigrationJob started = cluster.job("news");
            assertThat(startedAcknowledged(started)).isTrue();
            assertThat(condition(started, NotificationsPending.TYPE)).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo(NotificationsPending.ALL_ACKNOWLEDGED);
            });
        });
        // Later reconciles (a worker appears, tasks come) announce nothing again.
        cluster.startWorkerPod("news", "w1", true, clock.instant());
        cluster.createCopyTask(job, "news-plan-00001", file("a"));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(kafka.published()).singleElement().satisfies(event -> {
                    assertThat(event.type()).isEqualTo(EventType.JOB_STARTED);
                    assertThat(event.id()).isEqualTo(EventIds.job(uid, EventType.JOB_STARTED, null));
                    assertThat(event.recordKey()).isEqualTo(uid);
                    JobEventData data = (JobEventData) event.data();
                    assertThat(data.jobUid()).isEqualTo(uid);
                    assertThat(data.job()).isEqualTo("news");
                    assertThat(data.startTime()).isEqualTo(cluster.job("news").getStatus().startTime);
                }));
        assertThat(kafka.targets).singleElement().satisfies(target -> {
            assertThat(target.bootstrapServers()).isEqualTo("kafka-0.kafka:9092");
            assertThat(target.topic()).isEqualTo("ferry-events");
            assertThat(target.mode()).isEqualTo(EventEncoding.Structured);
            assertThat(target.clientProperties()).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.jaas.config", jaasConfig());
            assertThat(target.toString()).doesNotContain(SECRET_VALUE);
        });

        // The workers get the same properties from the kubelet, as FERRY_KAFKA_<key>.
        Container worker = cluster.deployment("news-worker").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(worker.getEnvFrom()).singleElement().satisfies(from -> {
            assertThat(from.getPrefix()).isEqualTo("FERRY_KAFKA_");
            assertThat(from.getSecretRef().getName()).isEqualTo(KAFKA_SECRET);
        });
        assertNoSecretValueIn("news");
    }

    @Test
    void becomesSucceededOnlyOnceKafkaAcknowledgedJobFinished() {
        FakeKafka kafka = FakeKafka.acknowledgingAllBut(EventType.JOB_FINISHED);
        startOperator(kafka);
        createKafkaSecret();
        MigrationJob job = cluster.createJob("mail", JobNotificationsIT::withKafka);
        await().untilAsserted(() -> assertThat(startedAcknowledged(cluster.job("mail"))).isTrue());
        cluster.createCopyTask(job, "mail-plan-00001", files(10));
        cluster.writeAsWorker("mail-plan", status -> planned(status, 10, 1000, 1));

        // A worker holds outcomes whose events Kafka has not acknowledged.
        cluster.writeAsWorker("mail-plan-00001", status -> running(status, 2, 5));
        await().untilAsserted(() -> assertThat(condition(cluster.job("mail"), NotificationsPending.TYPE)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo(NotificationsPending.EVENTS_NOT_ACKNOWLEDGED);
            assertThat(c.getMessage()).isEqualTo("5 outcomes wait for Kafka to acknowledge their events");
        }));
        String since = condition(cluster.job("mail"), NotificationsPending.TYPE).getLastTransitionTime();
        cluster.writeAsWorker("mail-plan-00001", status -> running(status, 2, 7));
        await().untilAsserted(() -> assertThat(condition(cluster.job("mail"), NotificationsPending.TYPE)).satisfies(c -> {
            assertThat(c.getMessage()).startsWith("7 outcomes wait");
            assertThat(c.getLastTransitionTime()).as("still the same wait").isEqualTo(since);
        }));
        assertThat(cluster.events("mail")).noneSatisfy(e -> assertThat(e.getReason()).isEqualTo(NotificationsPending.TYPE));
        // A wait that lasts is worth one Event, not one per outcome or per reconcile.
        clock.advance(Duration.ofSeconds(11));
        await().untilAsserted(() -> assertThat(cluster.events("mail")).filteredOn(e -> e.getReason().equals(NotificationsPending.TYPE))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).startsWith("7 outcomes wait");
                }));

        // The task ends with everything acknowledged: the counters are final, job.finished is sent, and the
        // job keeps its phase until Kafka acknowledged it.
        cluster.writeAsWorker("mail-plan-00001", status -> succeeded(status, 10, 1000));
        await().untilAsserted(() -> assertThat(kafka.published(EventType.JOB_FINISHED)).hasSize(1));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            MigrationJob waiting = cluster.job("mail");
            assertThat(waiting.getStatus().phase).isEqualTo(JobPhase.Running);
            assertThat(waiting.getStatus().completionTime).isNull();
            assertThat(waiting.getStatus().files.copied).isEqualTo(10);
            assertThat(condition(waiting, NotificationsPending.TYPE).getMessage())
                    .isEqualTo("1 outcome waits for Kafka to acknowledge its event: job.finished");
            assertThat(condition(waiting, Conditions.READY).getStatus()).isEqualTo("False");
            assertThat(kafka.published(EventType.JOB_FINISHED)).as("sent once, not per reconcile").hasSize(1);
        });
        FerryEvent finished = kafka.published(EventType.JOB_FINISHED).get(0);
        assertThat(finished.id()).isEqualTo(EventIds.job(job.getMetadata().getUid(), EventType.JOB_FINISHED, "Succeeded"));
        JobEventData data = (JobEventData) finished.data();
        assertThat(List.of(data.total(), data.copied(), data.skipped(), data.failed(), data.bytes()))
                .containsExactly(10L, 10L, 0L, 0L, 1000L);
        assertThat(data.phase()).isEqualTo("Succeeded");

        kafka.acknowledgeWaiting();

        await().untilAsserted(() -> {
            MigrationJob done = cluster.job("mail");
            assertThat(done.getStatus().phase).isEqualTo(JobPhase.Succeeded);
            assertThat(done.getStatus().completionTime).as("as announced").isEqualTo(data.completionTime());
            assertThat(data.startTime()).isEqualTo(done.getStatus().startTime);
            assertThat(condition(done, Conditions.READY).getStatus()).isEqualTo("True");
            assertThat(condition(done, NotificationsPending.TYPE)).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo(NotificationsPending.ALL_ACKNOWLEDGED);
            });
        });
        // Finished and announced: the job's publisher is closed.
        await().untilAsserted(() -> assertThat(kafka.publishers).singleElement().satisfies(p -> assertThat(p.closed).isTrue()));
        assertNoSecretValueIn("mail");
    }

    @Test
    void aNewLeaderSendsWhatWasNotAcknowledgedAgainWithTheSameIds() {
        createKafkaSecret();
        FakeKafka silent = FakeKafka.acknowledgingNothing();
        FerryOperator first = startOperator(silent);
        MigrationJob job = cluster.createJob("logs", JobNotificationsIT::withKafka);
        await().untilAsserted(() -> assertThat(silent.published(EventType.JOB_STARTED)).hasSize(1));
        cluster.createCopyTask(job, "logs-plan-00001", file("a"));
        cluster.writeAsWorker("logs-plan", status -> planned(status, 1, 100, 1));
        cluster.writeAsWorker("logs-plan-00001", status -> succeeded(status, 1, 100));
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            MigrationJob waiting = cluster.job("logs");
            assertThat(waiting.getStatus().phase).isEqualTo(JobPhase.Running);
            assertThat(waiting.getStatus().notifications).isNull();
            assertThat(condition(waiting, NotificationsPending.TYPE).getMessage())
                    .isEqualTo("2 outcomes wait for Kafka to acknowledge their events: job.started, job.finished");
            assertThat(silent.published(EventType.JOB_FINISHED)).as("not before job.started is acknowledged").isEmpty();
        });

        // The leader dies with job.started unacknowledged; the next one acknowledges that, not job.finished.
        stop(first);
        FakeKafka startedOnly = FakeKafka.acknowledgingAllBut(EventType.JOB_FINISHED);
        FerryOperator second = startOperator(startedOnly);
        await().untilAsserted(() -> {
            assertThat(startedAcknowledged(cluster.job("logs"))).isTrue();
            assertThat(startedOnly.published(EventType.JOB_FINISHED)).hasSize(1);
        });
        assertThat(startedOnly.published(EventType.JOB_STARTED)).singleElement()
                .satisfies(again -> assertThat(again.id()).isEqualTo(silent.published(EventType.JOB_STARTED).get(0).id()));
        assertThat(cluster.job("logs").getStatus().phase).isEqualTo(JobPhase.Running);

        // And dies with job.finished unacknowledged: the third sends it again, and only then is the job Succeeded.
        stop(second);
        FakeKafka healthy = FakeKafka.acknowledgingAll();
        startOperator(healthy);
        await().untilAsserted(() -> assertThat(cluster.job("logs").getStatus().phase).isEqualTo(JobPhase.Succeeded));
        assertThat(healthy.published(EventType.JOB_STARTED)).as("recorded as acknowledged: not sent again").isEmpty();
        assertThat(healthy.published(EventType.JOB_FINISHED)).singleElement()
                .satisfies(again -> assertThat(again.id()).isEqualTo(startedOnly.published(EventType.JOB_FINISHED).get(0).id()));
    }

    @Test
    void aJobWithoutNotificationsNeverOpensAPublisher() {
        FakeKafka kafka = FakeKafka.acknowledgingAll();
        startOperator(kafka);
        MigrationJob job = cluster.createJob("plain", spec -> { });
        await().untilAsserted(() -> assertThat(cluster.tasks("plain")).hasSize(1));
        cluster.createCopyTask(job, "plain-plan-00001", file("a"));
        cluster.writeAsWorker("plain-plan", status -> planned(status, 1, 100, 1));
        cluster.writeAsWorker("plain-plan-00001", status -> succeeded(status, 1, 100));

        await().untilAsserted(() -> assertThat(cluster.job("plain").getStatus().phase).isEqualTo(JobPhase.Succeeded));
        MigrationJob done = cluster.job("plain");
        assertThat(kafka.targets).isEmpty();
        assertThat(done.getStatus().notifications).isNull();
        assertThat(Conditions.find(done.getStatus().conditions, NotificationsPending.TYPE)).isEmpty();
        assertThat(cluster.deployment("plain-worker").getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom())
                .isNullOrEmpty();
    }

    @Test
    void refusesAJobWhoseKafkaSecretDoesNotExist() {
        FakeKafka kafka = FakeKafka.acknowledgingAll();
        startOperator(kafka);
        cluster.createJob("orphans", JobNotificationsIT::withKafka);

        await().untilAsserted(() -> assertThat(condition(cluster.job("orphans"), Conditions.READY)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("InvalidSpec");
            assertThat(c.getMessage()).contains("Kafka Secret 'kafka-client' (spec.notifications.kafka.secret) not found");
        }));
        assertThat(kafka.targets).isEmpty();
        assertThat(cluster.tasks("orphans")).isEmpty();
    }

    @Test
    void showsWhyTheKafkaClientCannotBeCreatedWithoutItsSecretValues() {
        startOperator(target -> {
            throw new KafkaException("Failed to construct kafka producer",
                    new KafkaException("Invalid JAAS configuration " + target.clientProperties().get("sasl.jaas.config")));
        });
        createKafkaSecret();
        cluster.createJob("broken", JobNotificationsIT::withKafka);

        await().untilAsserted(() -> assertThat(condition(cluster.job("broken"), NotificationsPending.TYPE)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getMessage()).startsWith("1 outcome waits for Kafka to acknowledge its event: job.started; "
                    + "the Kafka client cannot be created: ").contains("Invalid JAAS configuration ***");
        }));
        assertNoSecretValueIn("broken");
    }

    private FerryOperator startOperator(PublisherFactory kafka) {
        FerryOperator operator = FerryOperator.start(client, OperatorSettings.defaults()
                .withClock(clock)
                .withExitOnStopLeading(false)
                .withWorkerImage("ferry/worker:test")
                .withLeaseStartupGrace(Duration.ofDays(1))
                .withRecheckInterval(Duration.ofMillis(300)), kafka);
        operators.add(operator);
        return operator;
    }

    private void stop(FerryOperator operator) {
        operator.close();
        operators.remove(operator);
    }

    private void createKafkaSecret() {
        client.secrets().inNamespace(Cluster.NAMESPACE).resource(new SecretBuilder()
                .withNewMetadata().withName(KAFKA_SECRET).withNamespace(Cluster.NAMESPACE).endMetadata()
                .addToStringData("security.protocol", "SASL_SSL")
                .addToStringData("sasl.jaas.config", jaasConfig())
                .build()).create();
    }

    private static String jaasConfig() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"ferry\" password=\""
                + SECRET_VALUE + "\";";
    }

    private static void withKafka(MigrationJobSpec spec) {
        spec.notifications = new NotificationsSpec();
        spec.notifications.kafka = new KafkaSpec();
        spec.notifications.kafka.bootstrapServers = "kafka-0.kafka:9092";
        spec.notifications.kafka.topic = "ferry-events";
        spec.notifications.kafka.secret = KAFKA_SECRET;
    }

    /** Neither the job (status, conditions), nor its Events, nor its worker Deployment shows a secret value. */
    private void assertNoSecretValueIn(String job) {
        assertThat(Serialization.asJson(cluster.job(job))).doesNotContain(SECRET_VALUE);
        assertThat(Serialization.asJson(cluster.events(job))).doesNotContain(SECRET_VALUE);
        assertThat(Serialization.asJson(cluster.deployment(job + "-worker"))).doesNotContain(SECRET_VALUE);
    }

    private static Condition condition(MigrationJob job, String type) {
        assertThat(job.getStatus()).isNotNull();
        return Conditions.find(job.getStatus().conditions, type).orElseThrow(() -> new AssertionError("no " + type + " condition"));
    }

    private static Boolean startedAcknowledged(MigrationJob job) {
        return job.getStatus() == null || job.getStatus().notifications == null ? null
                : job.getStatus().notifications.startedAcknowledged;
    }

    private static FileEntry[] files(int count) {
        FileEntry[] files = new FileEntry[count];
        for (int i = 0; i < count; i++) {
            files[i] = file("f" + i);
        }
        return files;
    }

    private static FileEntry file(String path) {
        return new FileEntry(path, 100, 1_700_000_000_000L);
    }

    /** A holder's progress write: {@code copied} files done, {@code eventsPending} of them not yet acknowledged. */
    private static MigrationTaskStatus running(MigrationTaskStatus status, long copied, long eventsPending) {
        status.phase = TaskPhase.Running;
        status.progress = new MigrationTaskStatus.Progress();
        status.progress.copied = copied;
        status.progress.files = copied;
        status.progress.bytes = copied * 100;
        status.progress.eventsPending = eventsPending;
        return status;
    }

    /** A Copy task that copied every one of its {@code copied} files. */
    private static MigrationTaskStatus succeeded(MigrationTaskStatus status, long copied, long bytes) {
        return TestObjects.succeeded(status, copied, 0, bytes);
    }
}
