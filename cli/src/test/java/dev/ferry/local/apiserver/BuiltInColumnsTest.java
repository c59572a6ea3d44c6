package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.SimpleJsonPathTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kubectl get pods, events, deploy and pvc print what a cluster prints. */
class BuiltInColumnsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
    private final TableBuilder tables = new TableBuilder(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void printsPodsWithReadyStatusRestartsAndAge() {
        JsonNode running = json("""
                {"metadata": {"name": "w-1", "creationTimestamp": "2026-01-01T00:00:00Z"},
                 "spec": {"containers": [{"name": "worker"}], "nodeName": "local"},
                 "status": {"phase": "Running", "podIP": "127.0.0.1",
                   "containerStatuses": [{"name": "worker", "ready": true, "restartCount": 2,
                     "state": {"running": {"startedAt": "2026-01-01T00:50:00Z"}},
                     "lastState": {"terminated": {"exitCode": 137, "finishedAt": "2026-01-01T00:58:00Z"}}}]}}""");

        JsonNode table = table("pods", running);

        assertThat(names(table)).containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node");
        assertThat(cells(table, 0)).isEqualTo("[\"w-1\",\"1/1\",\"Running\",\"2 (2m ago)\",\"60m\",\"127.0.0.1\",\"local\"]");
        assertThat(table.path("columnDefinitions").get(5).path("priority").asInt()).as("IP: -o wide only").isEqualTo(1);
    }

    @Test
    void printsAContainerWaitingReasonOrAnExitCodeInsteadOfThePhase() {
        JsonNode crashLooping = pod("""
                {"phase": "Running", "containerStatuses": [{"ready": false, "restartCount": 0,
                  "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}""");
        JsonNode exited = pod("""
                {"phase": "Failed", "containerStatuses": [{"ready": false, "state": {"terminated": {"exitCode": 2}}}]}""");

        assertThat(cells(table("pods", crashLooping), 0)).contains("\"0/1\",\"CrashLoopBackOff\",\"0\"");
        assertThat(cells(table("pods", exited), 0)).contains("\"ExitCode:2\"");
    }

    @Test
    void printsClaimsWithStatusVolumeCapacityAccessModesAndStorageClass() {
        JsonNode bound = json("""
                {"metadata": {"name": "samples", "creationTimestamp": "2026-01-01T00:00:00Z"},
                 "spec": {"accessModes": ["ReadWriteMany"], "volumeName": "local-samples",
                   "storageClassName": "local-directory"},
                 "status": {"phase": "Bound", "accessModes": ["ReadWriteMany", "ReadOnlyMany"],
                   "capacity": {"storage": "1Ti"}}}""");

        JsonNode table = table("persistentvolumeclaims", bound);

        assertThat(names(table)).containsExactly("Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
                "VolumeAttributesClass", "Age", "VolumeMode");
        assertThat(cells(table, 0)).isEqualTo("[\"samples\",\"Bound\",\"local-samples\",\"1Ti\",\"RWX,ROX\","
                + "\"local-directory\",\"<unset>\",\"60m\",\"<unset>\"]");
    }

    @Test
    void printsATerminatingPodAsTerminating() {
        JsonNode deleting = json("""
                {"metadata": {"name": "p", "deletionTimestamp": "2026-01-01T00:59:00Z"},
                 "spec": {"containers": [{}]}, "status": {"phase": "Running"}}""");

        assertThat(cells(table("pods", deleting), 0)).contains("\"Terminating\"");
    }

    @Test
    void printsEventsWithLastSeenTypeReasonObjectAndMessage() {
        JsonNode repeated = json("""
                {"metadata": {"name": "job-a.1", "creationTimestamp": "2026-01-01T00:30:00Z"},
                 "involvedObject": {"kind": "MigrationJob", "name": "job-a"},
                 "type": "Warning", "reason": "TasksTakenBack", "message": "3 tasks taken back",
                 "firstTimestamp": "2026-01-01T00:30:00Z", "lastTimestamp": "2026-01-01T00:55:00Z", "count": 3,
                 "source": {"component": "ferry-operator"}}""");

        JsonNode table = table("events", repeated);

        assertThat(names(table)).containsExactly("Last Seen", "Type", "Reason", "Object", "Subobject", "Source",
                "Message", "First Seen", "Count", "Name");
        assertThat(cells(table, 0)).isEqualTo("[\"5m (x3 over 30m)\",\"Warning\",\"TasksTakenBack\","
                + "\"migrationjob/job-a\",null,\"ferry-operator\",\"3 tasks taken back\",\"30m\",3,\"job-a.1\"]");
        assertThat(table.path("columnDefinitions").get(9).path("priority").asInt()).as("Name: -o wide only").isEqualTo(1);
    }

    @Test
    void printsDeploymentsWithReadyUpToDateAvailableAndAge() {
        JsonNode rolling = json("""
                {"metadata": {"name": "job-worker", "creationTimestamp": "2026-01-01T00:00:00Z"},
                 "spec": {"replicas": 3, "selector": {"matchLabels": {"ferry.dev/job": "job", "c": "worker"}},
                   "template": {"spec": {"containers": [{"name": "worker", "image": "ferry/worker:1"}]}}},
                 "status": {"replicas": 4, "updatedReplicas": 1, "readyReplicas": 3, "availableReplicas": 3}}""");
        JsonNode scaledDown = json("""
                {"metadata": {"name": "done-worker", "creationTimestamp": "2026-01-01T00:00:00Z"},
                 "spec": {"replicas": 0, "template": {"spec": {"containers": [{"name": "worker", "image": "w"}]}}},
                 "status": {}}""");
        ApiResource resource = ResourceCatalog.of(List.of()).find("apps", "v1", "deployments").orElseThrow();

        JsonNode table = tables.table(List.of(rolling, scaledDown), TableBuilder.columns(resource), "1");

        assertThat(names(table)).containsExactly("Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images",
                "Selector");
        assertThat(cells(table, 0)).isEqualTo(
                "[\"job-worker\",\"3/3\",1,3,\"60m\",\"worker\",\"ferry/worker:1\",\"ferry.dev/job=job,c=worker\"]");
        assertThat(cells(table, 1)).startsWith("[\"done-worker\",\"0/0\",0,0,");
    }

    @Test
    void printsOtherBuiltInsWithNameAndAge() {
        assertThat(names(table("secrets", json("{\"metadata\": {\"name\": \"s\"}}")))).containsExactly("Name", "Age");
    }

    private JsonNode table(String plural, JsonNode object) {
        ApiResource resource = ResourceCatalog.of(List.of()).find("", "v1", plural).orElseThrow();
        return tables.table(List.of(object), TableBuilder.columns(resource), "1");
    }

    private static JsonNode pod(String status) {
        return json("{\"metadata\": {\"name\": \"p\"}, \"spec\": {\"containers\": [{}]}, \"status\": " + status + "}");
    }

    private static List<String> names(JsonNode table) {
        List<String> names = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    private static String cells(JsonNode table, int row) {
        return table.path("rows").get(row).path("cells").toString();
    }
}
