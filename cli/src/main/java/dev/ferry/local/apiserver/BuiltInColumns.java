package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.PrinterColumn.path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The columns the API server prints for the built-in kinds a person follows a migration with:
 * {@code kubectl get pods} (READY, STATUS, RESTARTS, AGE; IP and NODE with {@code -o wide}) and
 * {@code kubectl get events} (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; the rest with {@code -o wide}) and
 * {@code kubectl get deploy} (READY, UP-TO-DATE, AVAILABLE, AGE; CONTAINERS, IMAGES, SELECTOR with {@code -o wide}) and
 * {@code kubectl get pvc} (STATUS, VOLUME, CAPACITY, ACCESS MODES, STORAGECLASS, VOLUMEATTRIBUTESCLASS, AGE),
 * computed as the API server's printers compute them. Other built-ins print Name and Age.
 */
final class BuiltInColumns {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private static final List<PrinterColumn> PODS = List.of(
            PrinterColumn.NAME,
            computed("Ready", "The number of containers that are ready.", 0, BuiltInColumns::podReady),
            computed("Status", "The aggregate status of the containers in this pod.", 0, BuiltInColumns::podStatus),
            computed("Restarts", "The number of times the containers in this pod have been restarted and when "
                    + "the last container in this pod has restarted.", 0, BuiltInColumns::podRestarts),
            PrinterColumn.AGE,
            new PrinterColumn("IP", "string", "", "IP address allocated to the pod.", 1, path(".status.podIP")),
            new PrinterColumn("Node", "string", "", "Name of the node the pod is assigned to.", 1,
                    path(".spec.nodeName")));

    private static final List<PrinterColumn> EVENTS = List.of(
            computed("Last Seen", "Time when this event was last observed.", 0, BuiltInColumns::eventLastSeen),
            new PrinterColumn("Type", "string", "", "Type of this event (Normal, Warning).", 0, path(".type")),
            new PrinterColumn("Reason", "string", "", "Why the action was taken.", 0, path(".reason")),
            computed("Object", "The object that this event is about.", 0, BuiltInColumns::eventObject),
            new PrinterColumn("Subobject", "string", "", "The field of the object this event is about.", 1,
                    path(".involvedObject.fieldPath")),
            computed("Source", "The component reporting this event.", 1, BuiltInColumns::eventSource),
            computed("Message", "A human-readable description of the status of this operation.", 0,
                    (event, now) -> text(first(event, "message", "note"))),
            computed("First Seen", "Time when this event was first observed.", 1,
                    (event, now) -> text(age(firstSeen(event), now))),
            new PrinterColumn("Count", "integer", "", "The number of times this event has occurred.", 1,
                    path(".count")),
            PrinterColumn.NAME.withPriority(1));

    private static final List<PrinterColumn> DEPLOYMENTS = List.of(
            PrinterColumn.NAME,
            computed("Ready", "Number of the pod with ready state.", 0,
                    (deployment, now) -> text(deployment.path("status").path("readyReplicas").asInt(0) + "/"
                            + deployment.path("spec").path("replicas").asInt(1))),
            new PrinterColumn("Up-to-date", "integer", "", "Total number of non-terminated pods targeted by this "
                    + "deployment that have the desired template spec.", 0, counter("updatedReplicas")),
            new PrinterColumn("Available", "integer", "", "Total number of available pods (ready for at least "
                    + "minReadySeconds) targeted by this deployment.", 0, counter("availableReplicas")),
            PrinterColumn.AGE,
            computed("Containers", "Names of each container in the template.", 1,
                    (deployment, now) -> text(join(deployment.path("spec").path("template").path("spec")
                            .path("containers"), "name"))),
            computed("Images", "Images referenced by each container in the template.", 1,
                    (deployment, now) -> text(join(deployment.path("spec").path("template").path("spec")
                            .path("containers"), "image"))),
            computed("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
                    + "the ones affected by this deployment.", 1, (deployment, now) -> {
                        List<String> labels = new ArrayList<>();
                        deployment.path("spec").path("selector").path("matchLabels").fields()
                                .forEachRemaining(label -> labels.add(label.getKey() + "=" + label.getValue().asText()));
                        return text(String.join(",", labels));
                    }));

    private static final List<PrinterColumn> CLAIMS = List.of(
            PrinterColumn.NAME,
            computed("Status", "The phase of the claim (Terminating while it is deleted).", 0,
                    (claim, now) -> text(claim.path("metadata").has("deletionTimestamp") ? "Terminating"
                            : claim.path("status").path("phase").asText(""))),
            new PrinterColumn("Volume", "string", "", "The PersistentVolume bound to the claim.", 0,
                    path(".spec.volumeName")),
            computed("Capacity", "The storage the bound volume provides.", 0,
                    (claim, now) -> text(claim.path("status").path("capacity").path("storage").asText(""))),
            computed("Access Modes", "The access modes of the bound volume.", 0,
                    (claim, now) -> text(accessModes(claim.path("status").path("accessModes")))),
            computed("StorageClass", "The claim's StorageClass.", 0,
                    (claim, now) -> text(claim.path("spec").path("storageClassName").asText(""))),
            computed("VolumeAttributesClass", "The claim's VolumeAttributesClass.", 0,
                    (claim, now) -> text(claim.path("spec").path("volumeAttributesClassName").asText("<unset>"))),
            PrinterColumn.AGE,
            computed("VolumeMode", "Filesystem or Block.", 1,
                    (claim, now) -> text(claim.path("spec").path("volumeMode").asText("<unset>"))));

    private BuiltInColumns() {
    }

    /** The whole column list of a built-in resource, Name included; null when it prints Name and Age. */
    static List<PrinterColumn> of(String group, String plural) {
        if (group.isEmpty() && plural.equals("pods")) {
            return PODS;
        }
        if ((group.isEmpty() || group.equals("events.k8s.io")) && plural.equals("events")) {
            return EVENTS;
        }
        if (group.equals("apps") && plural.equals("deployments")) {
            return DEPLOYMENTS;
        }
        if (group.isEmpty() && plural.equals("persistentvolumeclaims")) {
            return CLAIMS;
        }
        return null;
    }

    private static PrinterColumn computed(String name, String description, int priority,
            PrinterColumn.CellSource source) {
        return new PrinterColumn(name, "string", "", description, priority, source);
    }

    static List<JsonNode> podReady(JsonNode pod, Instant now) {
        int containers = pod.path("spec").path("containers").size();
        int ready = 0;
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            if (status.path("ready").asBoolean()) {
                ready++;
            }
        }
        return text(ready + "/" + containers);
    }

    /** As kubectl prints it: the pod's reason or phase, overridden by a container's waiting or terminated reason. */
    static List<JsonNode> podStatus(JsonNode pod, Instant now) {
        JsonNode status = pod.path("status");
        String reason = status.path("reason").asText(status.path("phase").asText(""));
        boolean running = false;
        JsonNode containers = status.path("containerStatuses");
        for (int i = containers.size() - 1; i >= 0; i--) {
            JsonNode state = containers.get(i).path("state");
            if (state.path("waiting").hasNonNull("reason") && !state.path("waiting").path("reason").asText().isEmpty()) {
                reason = state.path("waiting").path("reason").asText();
            } else if (state.has("terminated")) {
                JsonNode terminated = state.path("terminated");
                reason = !terminated.path("reason").asText("").isEmpty() ? terminated.path("reason").asText()
                        : terminated.path("signal").asInt(0) != 0 ? "Signal:" + terminated.path("signal").asInt()
                        : "ExitCode:" + terminated.path("exitCode").asInt(0);
            } else if (containers.get(i).path("ready").asBoolean() && state.has("running")) {
                running = true;
            }
        }
        if (reason.equals("Completed") && running) {
            reason = "Running";
        }
        if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
            reason = "NodeLost".equals(status.path("reason").asText()) ? "Unknown" : "Terminating";
        }
        return text(reason);
    }

    /** The restarts of all containers, and how long ago the last one ended: "3 (2m ago)". */
    static List<JsonNode> podRestarts(JsonNode pod, Instant now) {
        long restarts = 0;
        String lastEnded = null;
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            restarts += status.path("restartCount").asLong(0);
            String finishedAt = status.path("lastState").path("terminated").path("finishedAt").asText(null);
            if (finishedAt != null && (lastEnded == null || finishedAt.compareTo(lastEnded) > 0)) {
                lastEnded = finishedAt;
            }
        }
        return text(restarts > 0 && lastEnded != null
                ? restarts + " (" + TableBuilder.age(lastEnded, now) + " ago)" : Long.toString(restarts));
    }

    /** "5m", or for a repeated event "5m (x3 over 20m)". */
    static List<JsonNode> eventLastSeen(JsonNode event, Instant now) {
        String last = first(event, "lastTimestamp", "deprecatedLastTimestamp");
        if (last == null) {
            last = event.path("series").path("lastObservedTime").asText(null);
        }
        if (last == null) {
            last = first(event, "eventTime");
        }
        if (last == null) {
            last = event.path("metadata").path("creationTimestamp").asText(null);
        }
        long count = event.has("series") ? event.path("series").path("count").asLong()
                : event.path("count").asLong(event.path("deprecatedCount").asLong(1));
        String lastSeen = age(last, now);
        return text(count > 1 ? lastSeen + " (x" + count + " over " + age(firstSeen(event), now) + ")" : lastSeen);
    }

    static List<JsonNode> eventObject(JsonNode event, Instant now) {
        JsonNode involved = event.has("involvedObject") ? event.path("involvedObject") : event.path("regarding");
        return text(involved.path("kind").asText("").toLowerCase(Locale.ROOT) + "/" + involved.path("name").asText(""));
    }

    static List<JsonNode> eventSource(JsonNode event, Instant now) {
        String component = event.path("source").path("component").asText(event.path("reportingController").asText(""));
        String host = event.path("source").path("host").asText(event.path("reportingInstance").asText(""));
        return text(host.isEmpty() ? component : component + ", " + host);
    }

    private static String firstSeen(JsonNode event) {
        String first = first(event, "firstTimestamp", "deprecatedFirstTimestamp", "eventTime");
        return first != null ? first : event.path("metadata").path("creationTimestamp").asText(null);
    }

    /** The first of the fields that is set and not empty, or null. */
    private static String first(JsonNode object, String... fields) {
        for (String field : fields) {
            String value = object.path(field).asText("");
            if (object.hasNonNull(field) && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    private static String age(String timestamp, Instant now) {
        return timestamp == null ? "<unknown>" : TableBuilder.age(timestamp, now);
    }

    /** A status counter, 0 where the API server's JSON leaves a zero out. */
    private static PrinterColumn.CellSource counter(String field) {
        return (object, now) -> List.of(JSON.numberNode(object.path("status").path(field).asInt(0)));
    }

    /** As kubectl abbreviates them: RWO, ROX, RWX, RWOP. */
    private static String accessModes(JsonNode modes) {
        List<String> shortNames = new ArrayList<>();
        modes.forEach(mode -> shortNames.add(switch (mode.asText("")) {
            case "ReadWriteOnce" -> "RWO";
            case "ReadOnlyMany" -> "ROX";
            case "ReadWriteMany" -> "RWX";
            case "ReadWriteOncePod" -> "RWOP";
            default -> mode.asText("");
        }));
        return String.join(",", shortNames);
    }

    private static String join(JsonNode items, String field) {
        List<String> values = new ArrayList<>();
        items.forEach(item -> values.add(item.path(field).asText("")));
        return String.join(",", values);
    }

    private static List<JsonNode> text(String value) {
        return value == null ? List.of() : List.of(JSON.textNode(value));
    }
}
