package dev.ferry.api.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.api.FailureCode;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.TaskType;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type of event, built by {@link FerryEvent} and written as Kafka carries it, satisfies
 * {@code ferry/events/ferry-event.schema.json}; what the schema forbids is refused; ids are the same for
 * the same outcome and only then.
 */
class EventSchemaTest {
    private static final String JOB_UID = "6f1d2c3b-9a8e-4f70-b1c2-d3e4f5a6b7c8";
    private static final String NAMESPACE = "archive";
    private static final String JOB = "projects-2024";
    private static final String TASK = "projects-2024-00007";
    private static final String BUCKET = "nas-archive";
    private static final String PATH = "reports/2024/q3/summary.pdf";
    private static final String KEY = "projects/reports/2024/q3/summary.pdf";
    private static final long SIZE = 7_340_032;
    private static final long MTIME = Instant.parse("2024-09-30T14:03:12.250Z").toEpochMilli();
    private static final String MD5 = "5d41402abc4b2a76b9719d911017c592";
    private static final Path DOC = Path.of("..", "docs", "events.md");
    private static final OffsetDateTime TIME = OffsetDateTime.of(2025, 3, 4, 10, 15, 30, 123_000_000, ZoneOffset.UTC);

    // ---- every type, as published ----

    static Stream<FerryEvent> everyType() {
        return Stream.of(copied(), skipped(), failed(FailureCode.SOURCE_CHANGED.name()), taskFinished(), jobStarted(),
                jobFinished());
    }

    @ParameterizedTest
    @MethodSource("everyType")
    void everyEventAsKafkaCarriesItInStructuredModeSatisfiesTheSchema(FerryEvent event) {
        byte[] value = new JsonFormat().serialize(event.toCloudEvent());

        assertThat(EventSchemaValidator.violations(value)).as(new String(value, StandardCharsets.UTF_8)).isEmpty();
        // the producer's serializer writes exactly these bytes, marked as a structured event
        Headers headers = new RecordHeaders();
        assertThat(serializer(Encoding.STRUCTURED).serialize("events", headers, event.toCloudEvent())).isEqualTo(value);
        assertThat(new String(headers.lastHeader("content-type").value(), StandardCharsets.UTF_8))
                .startsWith(JsonFormat.CONTENT_TYPE);
        assertThat(EventSchemaValidator.violations(headers, value)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("everyType")
    void everyEventInBinaryModeSatisfiesTheSchemaOnceItsHeadersAreRead(FerryEvent event) throws IOException {
        Headers headers = new RecordHeaders();
        byte[] value = serializer(Encoding.BINARY).serialize("events", headers, event.toCloudEvent());

        assertThat(new String(headers.lastHeader("ce_id").value(), StandardCharsets.UTF_8)).isEqualTo(event.id());
        assertThat(EventSchemaValidator.JSON.readTree(value)).isEqualTo(structured(event).get("data"));
        assertThat(EventSchemaValidator.violations(headers, value)).isEmpty();
    }

    @Test
    void aStructuredEventCarriesTheAttributesAndTheDataAsJson() {
        JsonNode event = structured(copied());

        assertThat(event.get("specversion").asText()).isEqualTo("1.0");
        assertThat(event.get("type").asText()).isEqualTo("dev.ferry.file.copied");
        assertThat(event.get("source").asText()).isEqualTo("/namespaces/archive/migrationjobs/projects-2024");
        assertThat(event.get("subject").asText()).isEqualTo(PATH);
        assertThat(event.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(event.get("data").isObject()).as("data is JSON, not base64").isTrue();
        assertThat(event.get("data").get("mtime").asText()).isEqualTo("2024-09-30T14:03:12.250Z");
        assertThat(event.get("data").has("code")).as("null fields are left out").isFalse();
    }

    // ---- what the schema refuses ----

    @Test
    void aFailedFileWithoutACodeIsRefused() {
        assertThat(EventSchemaValidator.violations(structured(failed(null)))).isNotEmpty();
    }

    @Test
    void aFailedFileWithACodeThatIsNotAFailureCodeIsRefused() {
        assertThat(EventSchemaValidator.violations(structured(failed("DISK_ON_FIRE")))).isNotEmpty();
    }

    @Test
    void aCodeOnACopiedOrSkippedFileIsRefused() {
        assertThat(EventSchemaValidator.violations(withData(copied(), d -> d.put("code", "S3_REJECTED"))))
                .isNotEmpty();
        assertThat(EventSchemaValidator.violations(withData(skipped(), d -> d.put("code", "S3_REJECTED"))))
                .isNotEmpty();
    }

    @Test
    void aDataFieldTheSchemaDoesNotNameIsRefused() {
        for (FerryEvent event : everyType().toList()) {
            assertThat(EventSchemaValidator.violations(withData(event, d -> d.put("sizeBytes", 1))))
                    .as(event.type().type()).isNotEmpty();
        }
    }

    @Test
    void aNullDataFieldIsRefused() {
        // Jackson's NON_NULL leaves unknown values out; a null would mean that was lost
        assertThat(EventSchemaValidator.violations(withData(copied(), d -> d.putNull("md5")))).isNotEmpty();
    }

    @Test
    void aRequiredDataFieldMissingIsRefused() {
        for (String field : List.of("jobUid", "task", "epoch", "path", "key", "size", "mtime")) {
            assertThat(EventSchemaValidator.violations(withData(copied(), d -> d.remove(field)))).as(field)
                    .isNotEmpty();
        }
        for (String counter : List.of("total", "copied", "skipped", "failed", "bytes")) {
            assertThat(EventSchemaValidator.violations(withData(jobFinished(), d -> d.remove(counter)))).as(counter)
                    .isNotEmpty();
        }
    }

    @Test
    void anUnknownTypeIsRefused() {
        ObjectNode event = structured(copied());
        event.put("type", "dev.ferry.file.moved");
        assertThat(EventSchemaValidator.violations(event)).isNotEmpty();
    }

    @Test
    void dataOfAnotherTypeIsRefused() {
        FerryEvent file = copied();
        FerryEvent asJobStarted = new FerryEvent(EventType.JOB_STARTED, file.id(), NAMESPACE, JOB, null, JOB_UID, TIME,
                file.data());
        FerryEvent asTaskFinished = new FerryEvent(EventType.TASK_FINISHED, file.id(), NAMESPACE, JOB, TASK,
                JOB_UID + "/" + TASK, TIME, file.data());
        FerryEvent taskAsFile = new FerryEvent(EventType.FILE_COPIED, file.id(), NAMESPACE, JOB, PATH,
                JOB_UID + "/" + PATH, TIME, taskFinished().data());

        assertThat(EventSchemaValidator.violations(structured(asJobStarted))).isNotEmpty();
        assertThat(EventSchemaValidator.violations(structured(asTaskFinished))).isNotEmpty();
        assertThat(EventSchemaValidator.violations(structured(taskAsFile))).isNotEmpty();
    }

    @Test
    void attributesOutsideTheContractAreRefused() {
        assertThat(EventSchemaValidator.violations(with(copied(), e -> e.put("source", "/migrationjobs/x"))))
                .isNotEmpty();
        assertThat(EventSchemaValidator.violations(with(copied(), e -> e.put("id", "42")))).isNotEmpty();
        assertThat(EventSchemaValidator.violations(with(copied(), e -> e.put("time", "yesterday")))).isNotEmpty();
        assertThat(EventSchemaValidator.violations(with(copied(), e -> e.put("specversion", "0.3")))).isNotEmpty();
        assertThat(EventSchemaValidator.violations(with(copied(), e -> e.remove("subject")))).isNotEmpty();
        assertThat(EventSchemaValidator.violations(with(jobStarted(), e -> e.put("subject", "x")))).isNotEmpty();
    }

    // ---- docs/events.md ----

    @Test
    void theExamplesOfTheDocumentationSatisfyTheSchemaAndCarryTheirIds() throws IOException {
        String doc = Files.readString(DOC);
        Matcher block = Pattern.compile("```json\n(.*?)```", Pattern.DOTALL).matcher(doc);
        Set<String> types = new TreeSet<>();
        while (block.find()) {
            JsonNode event = EventSchemaValidator.JSON.readTree(block.group(1));
            assertThat(EventSchemaValidator.violations(event)).as(block.group(1)).isEmpty();
            EventType type = EventType.ofType(event.get("type").asText());
            JsonNode d = event.get("data");
            String id = switch (type) {
                case FILE_COPIED, FILE_SKIPPED, FILE_FAILED -> EventIds.file(d.get("jobUid").asText(), type,
                        d.get("path").asText(), d.get("size").asLong(),
                        Instant.parse(d.get("mtime").asText()).toEpochMilli(),
                        d.has("code") ? d.get("code").asText() : null);
                case TASK_FINISHED -> EventIds.task(d.get("jobUid").asText(), d.get("task").asText(),
                        d.get("phase").asText());
                case JOB_STARTED -> EventIds.job(d.get("jobUid").asText(), type, null);
                case JOB_FINISHED -> EventIds.job(d.get("jobUid").asText(), type, d.get("phase").asText());
            };
            assertThat(event.get("id").asText()).as("id of the %s example", type.type()).isEqualTo(id);
            types.add(type.type());
        }
        assertThat(types).as("an example of every type")
                .isEqualTo(Arrays.stream(EventType.values()).map(EventType::type).collect(Collectors.toSet()));
    }

    // ---- the schema and the Java model agree ----

    @Test
    void theSchemaNamesEveryFieldOfEachDataRecordAndNoOther() {
        JsonNode defs = EventSchemaValidator.schemaNode().get("$defs");

        assertThat(propertiesOf(defs.get("fileData"))).isEqualTo(componentsOf(FileEventData.class));
        assertThat(propertiesOf(defs.get("taskData"))).isEqualTo(componentsOf(TaskEventData.class));
        assertThat(propertiesOf(defs.get("jobData"))).isEqualTo(componentsOf(JobEventData.class));
    }

    @Test
    void theSchemaListsEveryTypeAndEveryFailureCodeAndEnum() {
        JsonNode schema = EventSchemaValidator.schemaNode();

        assertThat(texts(schema.at("/properties/type/enum")))
                .isEqualTo(Arrays.stream(EventType.values()).map(EventType::type).collect(Collectors.toSet()));
        assertThat(texts(schema.at("/$defs/failureCode/enum"))).isEqualTo(names(FailureCode.values()));
        assertThat(texts(schema.at("/$defs/taskData/properties/taskType/enum"))).isEqualTo(names(TaskType.values()));
        assertThat(texts(schema.at("/$defs/jobData/properties/phase/enum"))).isEqualTo(names(JobPhase.values()));
        assertThat(texts(schema.at("/$defs/jobData/properties/mode/enum"))).isEqualTo(names(MigrationMode.values()));
    }

    // ---- ids and record keys ----

    @Test
    void aFileOutcomeHasTheSameIdWhateverHolderSendsItAndWhen() {
        FerryEvent first = copied();
        FileEventData d = (FileEventData) first.data();
        // another holder (epoch 4), another gateway, another duration, sent a minute later
        FileEventData again = new FileEventData(d.jobUid(), d.namespace(), d.job(), d.task(), 4, d.path(), d.bucket(),
                d.key(), d.size(), d.mtime(), d.md5(), d.etag(), null, 35L, null,
                "uploaded by an earlier holder of this job");
        FerryEvent resent = FerryEvent.file(EventType.FILE_COPIED, again, MTIME, TIME.plusMinutes(1));

        assertThat(resent.id()).isEqualTo(first.id());
        assertThat(first.id()).isEqualTo(EventIds.file(JOB_UID, EventType.FILE_COPIED, PATH, SIZE, MTIME, null));
        assertThat(UUID.fromString(first.id()).version()).isEqualTo(3);
    }

    @Test
    void fileIdsAreTheSameForTheSameOutcomeAndDifferWhenAnyPartDiffers() {
        String id = EventIds.file(JOB_UID, EventType.FILE_FAILED, PATH, SIZE, MTIME, "SOURCE_CHANGED");

        assertThat(EventIds.file(JOB_UID, EventType.FILE_FAILED, PATH, SIZE, MTIME, "SOURCE_CHANGED")).isEqualTo(id);
        Set<String> others = Set.of(
                EventIds.file(UUID.randomUUID().toString(), EventType.FILE_FAILED, PATH, SIZE, MTIME, "SOURCE_CHANGED"),
                EventIds.file(JOB_UID, EventType.FILE_COPIED, PATH, SIZE, MTIME, "SOURCE_CHANGED"),
                EventIds.file(JOB_UID, EventType.FILE_FAILED, PATH + ".bak", SIZE, MTIME, "SOURCE_CHANGED"),
                EventIds.file(JOB_UID, EventType.FILE_FAILED, PATH, SIZE + 1, MTIME, "SOURCE_CHANGED"),
                EventIds.file(JOB_UID, EventType.FILE_FAILED, PATH, SIZE, MTIME + 1, "SOURCE_CHANGED"),
                EventIds.file(JOB_UID, EventType.FILE_FAILED, PATH, SIZE, MTIME, "SOURCE_VANISHED"),
                EventIds.file(JOB_UID, EventType.FILE_FAILED, PATH, SIZE, MTIME, null));
        assertThat(others).hasSize(7).doesNotContain(id);
        // copied and skipped of the same file version are different outcomes
        assertThat(EventIds.file(JOB_UID, EventType.FILE_COPIED, PATH, SIZE, MTIME, null))
                .isNotEqualTo(EventIds.file(JOB_UID, EventType.FILE_SKIPPED, PATH, SIZE, MTIME, null));
        // parts cannot run into each other
        assertThat(EventIds.file(JOB_UID, EventType.FILE_COPIED, "a", 12, MTIME, null))
                .isNotEqualTo(EventIds.file(JOB_UID, EventType.FILE_COPIED, "a1", 2, MTIME, null));
    }

    @Test
    void aFilesOutcomeInALaterRunOfTheJobHasAnIdOfThatRun() {
        String firstRun = EventIds.file(JOB_UID, EventType.FILE_SKIPPED, PATH, SIZE, MTIME, null);
        assertThat(EventIds.file(JOB_UID, EventType.FILE_SKIPPED, PATH, SIZE, MTIME, null, 1)).isEqualTo(firstRun);
        assertThat(EventIds.file(JOB_UID, EventType.FILE_SKIPPED, PATH, SIZE, MTIME, null, 2))
                .isEqualTo(EventIds.file(JOB_UID, EventType.FILE_SKIPPED, PATH, SIZE, MTIME, null, 2))
                .isNotEqualTo(firstRun)
                .isNotEqualTo(EventIds.file(JOB_UID, EventType.FILE_SKIPPED, PATH, SIZE, MTIME, null, 3));
        FileEventData data = new FileEventData(JOB_UID, NAMESPACE, JOB, TASK, 1, PATH, BUCKET, "k", SIZE, null, null,
                null, null, null, null, null);
        assertThat(FerryEvent.file(EventType.FILE_SKIPPED, data, MTIME, TIME, 2).id())
                .isEqualTo(EventIds.file(JOB_UID, EventType.FILE_SKIPPED, PATH, SIZE, MTIME, null, 2));
    }

    @Test
    void taskAndJobIdsAreTheSameForTheSameEnd() {
        assertThat(taskFinished().id()).isEqualTo(taskFinished().id())
                .isEqualTo(EventIds.task(JOB_UID, TASK, "Succeeded"))
                .isNotEqualTo(EventIds.task(JOB_UID, TASK, "Failed"))
                .isNotEqualTo(EventIds.task(JOB_UID, TASK + "-x", "Succeeded"));
        assertThat(EventIds.task(JOB_UID, TASK, "Succeeded", 1)).as("the first run keeps the ids it always had")
                .isEqualTo(EventIds.task(JOB_UID, TASK, "Succeeded"))
                .as("a later run's task of the same name ends anew").isNotEqualTo(EventIds.task(JOB_UID, TASK, "Succeeded", 2));
        assertThat(jobStarted().id()).isEqualTo(jobStarted().id()).isNotEqualTo(jobFinished().id());
        assertThat(jobFinished().id()).isEqualTo(EventIds.job(JOB_UID, EventType.JOB_FINISHED, "Succeeded"))
                .isNotEqualTo(EventIds.job(JOB_UID, EventType.JOB_FINISHED, "Failed"))
                .isNotEqualTo(EventIds.job(UUID.randomUUID().toString(), EventType.JOB_FINISHED, "Succeeded"));
    }

    @Test
    void recordKeysKeepAFileATaskAndAJobOnOnePartition() {
        assertThat(copied().recordKey()).isEqualTo(JOB_UID + "/" + PATH);
        assertThat(failed("SOURCE_CHANGED").recordKey()).isEqualTo(JOB_UID + "/" + PATH);
        assertThat(taskFinished().recordKey()).isEqualTo(JOB_UID + "/" + TASK);
        assertThat(jobStarted().recordKey()).isEqualTo(JOB_UID);
        assertThat(jobFinished().recordKey()).isEqualTo(JOB_UID);
    }

    // ---- realistic events ----

    static FerryEvent copied() {
        return FerryEvent.file(EventType.FILE_COPIED, new FileEventData(JOB_UID, NAMESPACE, JOB, TASK, 3, PATH, BUCKET,
                KEY, SIZE, Instant.ofEpochMilli(MTIME).toString(), MD5, "a7b2c1d9e4f30b6c8d2e1f0a9b8c7d6e-2",
                "https://s3-b.example.internal:9000", 412L, null, null), MTIME, TIME);
    }

    static FerryEvent skipped() {
        return FerryEvent.file(EventType.FILE_SKIPPED, new FileEventData(JOB_UID, NAMESPACE, JOB, TASK, 3, PATH, BUCKET,
                KEY, SIZE, Instant.ofEpochMilli(MTIME).toString(), MD5, MD5, null, 18L, null,
                "an identical object exists (same size, mtime and MD5)"), MTIME, TIME);
    }

    static FerryEvent failed(String code) {
        return FerryEvent.file(EventType.FILE_FAILED, new FileEventData(JOB_UID, NAMESPACE, JOB, TASK, 3, PATH, BUCKET,
                KEY, SIZE, Instant.ofEpochMilli(MTIME).toString(), null, null, null, 2_031L, code,
                "size or mtime changed while the file was read, twice"), MTIME, TIME);
    }

    static FerryEvent taskFinished() {
        return FerryEvent.taskFinished(new TaskEventData(JOB_UID, NAMESPACE, JOB, TASK, "Copy", 3, "Succeeded", 1000,
                987, 13, 0, 734_003_200, null), TIME);
    }

    static FerryEvent jobStarted() {
        return FerryEvent.job(EventType.JOB_STARTED, new JobEventData(JOB_UID, NAMESPACE, JOB, 1L, "Planning", "Copy",
                BUCKET, "projects/", null, null, null, null, null, "2025-03-04T10:00:02Z", null, null),
                FerryEvent.now()); // the clock's full precision: nanoseconds on Linux

    }

    static FerryEvent jobFinished() {
        return FerryEvent.job(EventType.JOB_FINISHED, new JobEventData(JOB_UID, NAMESPACE, JOB, 2L, "Succeeded", "Sync",
                BUCKET, "projects/", 120_431L, 118_002L, 2_429L, 0L, 96_112_304_128L, "2025-03-04T10:00:02Z",
                "2025-03-04T13:41:55Z", "120431 files migrated"), TIME);
    }

    // ---- helpers ----

    private static CloudEventSerializer serializer(Encoding encoding) {
        CloudEventSerializer serializer = new CloudEventSerializer();
        serializer.configure(Map.of(CloudEventSerializer.ENCODING_CONFIG, encoding.name(),
                CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE), false);
        return serializer;
    }

    private static ObjectNode structured(FerryEvent event) {
        try {
            return (ObjectNode) EventSchemaValidator.JSON.readTree(new JsonFormat().serialize(event.toCloudEvent()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode with(FerryEvent event, Consumer<ObjectNode> change) {
        ObjectNode json = structured(event);
        change.accept(json);
        return json;
    }

    private static ObjectNode withData(FerryEvent event, Consumer<ObjectNode> change) {
        return with(event, json -> change.accept((ObjectNode) json.get("data")));
    }

    private static Set<String> propertiesOf(JsonNode def) {
        Set<String> names = new TreeSet<>();
        def.get("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> componentsOf(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(c -> c.getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new TreeSet<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static Set<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    }
}
