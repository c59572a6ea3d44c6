package dev.ferry.local.apiserver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which stored objects name which owners ({@code metadata.ownerReferences[].uid}): what the local API's garbage
 * collection needs to find, when an object is deleted, the objects that had it as their last owner, as a real
 * API server's garbage collector does (a job's tasks and worker Deployment, a Deployment's pods, a pod's Lease).
 *
 * <p>Objects are known by an id of the caller's (namespace, resource and name). A write is looked at only
 * where its {@code ownerReferences} text changed, and then only its metadata is read, with a streaming parser
 * that stops there: a task's status write, the local API's most frequent, costs two substring searches.
 * Not thread-safe: the dispatcher calls it under its lock.
 */
final class OwnerIndex {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String OWNER_REFERENCES = "\"ownerReferences\"";

    /** By object id, where it is deleted and the owner UIDs it names that are not known to be gone. */
    private final Map<String, Dependent> ownersOf = new HashMap<>();
    /** The UIDs of the objects stored. */
    private final Set<String> live = new HashSet<>();
    /** By owner UID, the ids of the objects that name it. */
    private final Map<String, Set<String>> dependentsOf = new HashMap<>();

    private record Dependent(String path, Set<String> owners) {
    }

    /**
     * The object {@code id} was stored as {@code after} (it was {@code before}, null when new); {@code path} gives
     * the API path of a stored object from its apiVersion. Returns that path when every owner the object names is
     * gone already (or never was): it is garbage from the start.
     */
    Optional<String> written(String id, String before, String after, Function<String, String> path) {
        if (before != null && Objects.equals(ownerText(before), ownerText(after))) {
            return Optional.empty();
        }
        Metadata metadata = metadataOf(after);
        if (before == null && metadata.uid() != null) {
            live.add(metadata.uid());
        }
        forget(id);
        List<String> owners = metadata.ownerUids();
        if (owners.isEmpty()) {
            return Optional.empty();
        }
        Set<String> present = new LinkedHashSet<>();
        owners.stream().filter(live::contains).forEach(present::add);
        if (present.isEmpty()) {
            return Optional.ofNullable(path.apply(metadata.apiVersion()));
        }
        ownersOf.put(id, new Dependent(path.apply(metadata.apiVersion()), present));
        present.forEach(owner -> dependentsOf.computeIfAbsent(owner, o -> new LinkedHashSet<>()).add(id));
        return Optional.empty();
    }

    /**
     * The object {@code id} is gone: it names no owner any more, and the API paths of the objects for which it was
     * the last owner still there are returned, for the caller to delete.
     */
    List<String> removed(String id, String json) {
        forget(id);
        String uid = metadataOf(json).uid();
        if (uid != null) {
            live.remove(uid);
        }
        Set<String> dependents = uid == null ? null : dependentsOf.remove(uid);
        if (dependents == null) {
            return List.of();
        }
        List<String> orphans = new ArrayList<>();
        for (String dependentId : dependents) {
            Dependent dependent = ownersOf.get(dependentId);
            if (dependent != null && dependent.owners().remove(uid) && dependent.owners().isEmpty()) {
                ownersOf.remove(dependentId);
                orphans.add(dependent.path());
            }
        }
        return orphans;
    }

    void clear() {
        live.clear();
        ownersOf.clear();
        dependentsOf.clear();
    }

    /** Number of objects that name an owner (for tests: the index shrinks as objects go). */
    int size() {
        return ownersOf.size();
    }

    private void forget(String id) {
        Dependent dependent = ownersOf.remove(id);
        if (dependent == null) {
            return;
        }
        for (String owner : dependent.owners()) {
            Set<String> dependents = dependentsOf.get(owner);
            if (dependents != null && dependents.remove(id) && dependents.isEmpty()) {
                dependentsOf.remove(owner);
            }
        }
    }

    /** The text of the object's owner references (up to the array's end), or null when it has none. */
    private static String ownerText(String json) {
        int start = json.indexOf(OWNER_REFERENCES);
        if (start < 0) {
            return null;
        }
        int end = json.indexOf(']', start);
        return end < 0 ? json.substring(start) : json.substring(start, end + 1);
    }

    /** An object's apiVersion (when it comes before its metadata), UID and the UIDs of its owners. */
    record Metadata(String apiVersion, String uid, List<String> ownerUids) {
    }

    /** Reads the object's fields up to its metadata, and that, and no further. */
    static Metadata metadataOf(String json) {
        try (JsonParser parser = JSON.createParser(json)) {
            String apiVersion = null;
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Metadata(null, null, List.of());
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("apiVersion".equals(field) && value == JsonToken.VALUE_STRING) {
                    apiVersion = parser.getText();
                } else if ("metadata".equals(field) && value == JsonToken.START_OBJECT) {
                    return metadata(parser, apiVersion);
                } else {
                    parser.skipChildren();
                }
            }
            return new Metadata(apiVersion, null, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("a stored object is not JSON", e);
        }
    }

    private static Metadata metadata(JsonParser parser, String apiVersion) throws IOException {
        String uid = null;
        List<String> owners = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("uid".equals(field) && value == JsonToken.VALUE_STRING) {
                uid = parser.getText();
            } else if ("ownerReferences".equals(field) && value == JsonToken.START_ARRAY) {
                while (parser.nextToken() == JsonToken.START_OBJECT) {
                    owners.addAll(ownerUid(parser));
                }
            } else {
                parser.skipChildren();
            }
        }
        return new Metadata(apiVersion, uid, owners);
    }

    private static List<String> ownerUid(JsonParser parser) throws IOException {
        String uid = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("uid".equals(field) && value == JsonToken.VALUE_STRING) {
                uid = parser.getText();
            } else {
                parser.skipChildren();
            }
        }
        return uid == null ? List.of() : List.of(uid);
    }
}
