package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.events.EventIds;
import dev.ferry.api.events.EventType;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file's outcome reaches Kafka (issue 10), against a real KRaft broker in a process of its own and
 * `ferry migrate` in another, with its worker processes: each file has an event whose id is the one
 * {@link EventIds} gives its outcome, also when the broker is away for 30 s in the middle of the job and
 * when a worker is killed with events that the broker never acknowledged; `job.finished` carries the
 * job's final counts. Consumers read the topic from the beginning, as a downstream system would.
 */
class KafkaEventsIT {
    private static final S3Credentials CREDENTIALS = new S3Credentials("events-key", "events-secret");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaBrokerPerClass KAFKA = new KafkaBrokerPerClass();

    @TempDir
    static Path temp;
    static LocalS3 s3;

    @BeforeAll
    static void startStore() throws Exception {
        s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS);
    }

    @AfterAll
    static void stopStore() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void everyFileOfAJobHasOneEventIdAndJobFinishedCarriesTheJobsCounts() throws Exception {
        Path source = tree("all", 2_000);
        BackgroundMigration migration = migrate("all", source, "--workers", "2", "--max-files", "200");
        JsonNode summary = succeeded(migration);

        List<Event> events = readUntilFinished("all");
        Map<String, Long> expected = expectedFileIds(source, jobUid(events), EventType.FILE_COPIED);
        List<Event> files = events.stream().filter(Event::isFile).toList();
        report("2,000-file job", expected.size(), files);
        assertThat(files).allSatisfy(e -> assertThat(e.type()).isEqualTo(EventType.FILE_COPIED.type()));
        assertThat(files.stream().map(Event::id).collect(Collectors.toSet())).isEqualTo(expected.keySet());
        assertThat(events).allSatisfy(e -> assertThat(EventSchema.violations(e.value())).as(e.id()).isEmpty());
        JsonNode finished = single(events, EventType.JOB_FINISHED).data();
        assertThat(finished.path("phase").asText()).isEqualTo("Succeeded");
        for (String counter : List.of("total", "copied", "skipped", "failed")) {
            assertThat(finished.path(counter).asLong()).as(counter).isEqualTo(summary.path("files").path(counter).asLong());
        }
        assertThat(single(events, EventType.JOB_STARTED)).isNotNull();
        Set<String> copyTasks = files.stream().map(e -> e.data().path("task").asText()).collect(Collectors.toSet());
        assertThat(events.stream().filter(e -> e.type().equals(EventType.TASK_FINISHED.type())).map(Event::subject)
                .collect(Collectors.toSet())).as("a task.finished for every Copy task").containsAll(copyTasks);
    }

    @Test
    void aBrokerAwayForThirtySecondsHoldsTheJobBackAndLosesNoEvent() throws Exception {
        Path source = tree("outage", 800);
        BackgroundMigration migration = migrate("outage", source, "--workers", "2", "--max-files", "100");
        try (KubernetesClient client = migration.client()) {
            awaitFilesDone(client, "outage", 200, migration);
            KAFKA.kafka().stop();
            Instant stopped = Instant.now();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(condition(client, "outage",
                    "NotificationsPending")).isEqualTo("True"));
            MigrationJob waiting = job(client, "outage");
            assertThat(waiting.getStatus().phase.name()).isNotIn("Succeeded", "Failed");
            System.out.printf("outage: NotificationsPending after %d ms: %s%n",
                    Duration.between(stopped, Instant.now()).toMillis(), conditionMessage(client, "outage",
                            "NotificationsPending"));
            Thread.sleep(Math.max(0, Duration.ofSeconds(30).minus(Duration.between(stopped, Instant.now())).toMillis()));
            assertThat(migration.isDone()).as("no job succeeds while its events wait").isFalse();
            KAFKA.kafka().restart();
        }
        succeeded(migration);

        List<Event> events = readUntilFinished("outage");
        Map<String, Long> expected = expectedFileIds(source, jobUid(events), EventType.FILE_COPIED);
        List<Event> files = events.stream().filter(Event::isFile).toList();
        report("broker away 30 s", expected.size(), files);
        assertThat(files.stream().map(Event::id).collect(Collectors.toSet())).isEqualTo(expected.keySet());
    }

    @Test
    void aWorkerKilledBeforeTheBrokerAcknowledgedItsEventsLeavesThemToTheNextHolder() throws Exception {
        Path source = tree("kill", 800);
        BackgroundMigration migration = migrate("kill", source, "--workers", "2", "--max-files", "100");
        try (KubernetesClient client = migration.client()) {
            awaitFilesDone(client, "kill", 200, migration);
            KAFKA.kafka().stop(); // nothing is acknowledged now: copied files wait for their events
            Pod victim = await().atMost(Duration.ofSeconds(60)).until(() -> workerHoldingUnacknowledged(client, "kill"),
                    p -> p != null);
            long pid = Long.parseLong(victim.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            System.out.printf("kill: killed %s (pid %d) holding unacknowledged events%n", victim.getMetadata().getName(),
                    pid);
            KAFKA.kafka().restart();
        }
        succeeded(migration);

        List<Event> events = readUntilFinished("kill");
        Map<String, Long> expected = expectedFileIds(source, jobUid(events), EventType.FILE_COPIED);
        List<Event> files = events.stream().filter(Event::isFile).toList();
        report("worker killed with unacknowledged events", expected.size(), files);
        assertThat(files).allSatisfy(e -> assertThat(e.type()).isEqualTo(EventType.FILE_COPIED.type()));
        assertThat(files.stream().map(Event::id).collect(Collectors.toSet())).isEqualTo(expected.keySet());
    }

    @Test
    void aSyncRunAfterAFinishedJobAnnouncesChangedFilesCopiedAndTheRestSkipped() throws Exception {
        Path source = tree("sync", 60);
        succeeded(migrate("sync-first", source, "--workers", "1"));
        List<Path> changed = List.of(source.resolve("d00/s00/file 00007.bin"), source.resolve("d01/s00/file 00001.bin"));
        for (Path file : changed) {
            Files.write(file, ("changed " + file).getBytes());
        }
        succeeded(migrate("sync-second", source, "--workers", "1", "--mode", "Sync"));

        List<Event> first = readUntilFinished("sync-first");
        List<Event> second = readUntilFinished("sync-second");
        String uid = jobUid(second);
        assertThat(uid).isNotEqualTo(jobUid(first));
        Set<String> changedPaths = changed.stream().map(p -> source.relativize(p).toString()).collect(Collectors.toSet());
        Map<String, Long> copied = expectedFileIds(source, uid, EventType.FILE_COPIED);
        Map<String, Long> skipped = expectedFileIds(source, uid, EventType.FILE_SKIPPED);
        for (Event e : second.stream().filter(Event::isFile).toList()) {
            boolean isChanged = changedPaths.contains(e.subject());
            assertThat(e.type()).as(e.subject()).isEqualTo(isChanged ? EventType.FILE_COPIED.type()
                    : EventType.FILE_SKIPPED.type());
            assertThat(isChanged ? copied : skipped).as(e.subject()).containsKey(e.id());
        }
        assertThat(second.stream().filter(Event::isFile).count()).isEqualTo(copied.size());
    }

    // --- the job ---

    private static Path tree(String name, int files) throws IOException {
        Path source = temp.resolve("src-" + name);
        SourceTree.generate(source, files, 8 << 20, name.hashCode());
        return source;
    }

    private static BackgroundMigration migrate(String name, Path source, String... options) {
        List<String> args = new ArrayList<>(List.of(source.toString(), "s3://" + name.replace("-first", "")
                        .replace("-second", ""), "--endpoint", s3.endpoint().toString(), "--access-key",
                CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey()));
        args.addAll(KAFKA.migrateOptions(topic(name)));
        args.addAll(List.of(options));
        return BackgroundMigration.start(temp, temp.resolve("work-" + name), name, args.toArray(String[]::new));
    }

    private static String topic(String job) {
        return "events-" + job;
    }

    private static JsonNode succeeded(BackgroundMigration migration) throws Exception {
        FerryProcess.Result result = migration.result();
        assertThat(result.exitCode()).as("exit code; stderr:%n%s", result.stderr()).isZero();
        return JSON.readTree(result.stdout());
    }

    private static void awaitFilesDone(KubernetesClient client, String job, long files, BackgroundMigration migration) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).until(() -> {
            MigrationJob j = job(client, job);
            return migration.isDone() || j != null && j.getStatus() != null && j.getStatus().files.done() >= files;
        });
        assertThat(migration.isDone()).as("the job must still be running").isFalse();
    }

    private static MigrationJob job(KubernetesClient client, String name) {
        return client.resources(MigrationJob.class).inNamespace("default").withName(name).get();
    }

    private static String condition(KubernetesClient client, String job, String type) {
        MigrationJob j = job(client, job);
        return j == null || j.getStatus() == null || j.getStatus().conditions == null ? null
                : j.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).map(c -> c.getStatus())
                .findFirst().orElse(null);
    }

    private static String conditionMessage(KubernetesClient client, String job, String type) {
        return job(client, job).getStatus().conditions.stream().filter(c -> type.equals(c.getType()))
                .map(c -> c.getMessage()).findFirst().orElse(null);
    }

    /** A worker pod that holds a task with outcomes whose events wait for the broker. */
    private static Pod workerHoldingUnacknowledged(KubernetesClient client, String job) {
        Set<String> holders = client.resources(MigrationTask.class).inNamespace("default")
                .withLabel(Ferry.JOB_LABEL, job).list().getItems().stream()
                .filter(t -> t.getStatus() != null && t.getStatus().progress != null
                        && t.getStatus().progress.eventsPending != null && t.getStatus().progress.eventsPending > 0
                        && t.getStatus().assignment != null)
                .map(t -> t.getStatus().assignment.podUid).collect(Collectors.toSet());
        return client.pods().inNamespace("default").withLabel(Ferry.JOB_LABEL, job).list().getItems().stream()
                .filter(p -> holders.contains(p.getMetadata().getUid()))
                .filter(p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(Ferry.PID_ANNOTATION))
                .findFirst().orElse(null);
    }

    // --- the events ---

    /** One record of the topic, in structured mode: the whole CloudEvent as JSON. */
    record Event(String key, byte[] value, JsonNode json) {
        static Event of(TopicRecord record) {
            byte[] value = record.value().getBytes(StandardCharsets.UTF_8);
            try {
                return new Event(record.key(), value, JSON.readTree(value));
            } catch (IOException e) {
                throw new IllegalStateException("a record that is not JSON: " + record, e);
            }
        }

        String id() {
            return json.path("id").asText();
        }

        String type() {
            return json.path("type").asText();
        }

        String subject() {
            return json.path("subject").asText();
        }

        JsonNode data() {
            return json.path("data");
        }

        boolean isFile() {
            return type().startsWith("dev.ferry.file.");
        }
    }

    /** Every record of the job's topic from the beginning, until its job.finished. */
    private static List<Event> readUntilFinished(String job) {
        List<Event> events = TopicReader.readUntil(KAFKA.bootstrapServers(), topic(job),
                        records -> records.stream().anyMatch(r -> r.value().contains(EventType.JOB_FINISHED.type())),
                        Duration.ofSeconds(60)).stream().map(Event::of).toList();
        assertThat(events).as("job.finished of %s", job)
                .anyMatch(e -> e.type().equals(EventType.JOB_FINISHED.type()));
        return events;
    }

    private static Event single(List<Event> events, EventType type) {
        List<Event> of = events.stream().filter(e -> e.type().equals(type.type())).toList();
        assertThat(of.stream().map(Event::id).distinct()).as(type.type()).hasSize(1);
        return of.get(0);
    }

    private static String jobUid(List<Event> events) {
        return single(events, EventType.JOB_FINISHED).data().path("jobUid").asText();
    }

    /** The id each regular file's outcome of {@code type} must have, by the file's path and version. */
    private static Map<String, Long> expectedFileIds(Path source, String jobUid, EventType type) throws IOException {
        Map<String, Long> ids = new HashMap<>();
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String path = source.relativize(file).toString();
                ids.put(EventIds.file(jobUid, type, path, Files.size(file), Files.getLastModifiedTime(file).toMillis(),
                        null), Files.size(file));
            }
        }
        return ids;
    }

    private static void report(String scenario, int fileCount, List<Event> fileEvents) {
        Set<String> distinct = new HashSet<>();
        fileEvents.forEach(e -> distinct.add(e.id()));
        System.out.printf("%s: files %d, file events received %d, distinct ids %d, duplicates %d%n", scenario,
                fileCount, fileEvents.size(), distinct.size(), fileEvents.size() - distinct.size());
    }
}
