package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The stored version of the object a write targets (its {@code /status} path names the object), read
 * from the CRUD mock at most once per write and only when asked: optimistic concurrency and admission
 * both look at it, and most writes (a Lease renewal, a Pod) need it for neither.
 */
final class StoredObject {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final MockStore store;
    private final String objectPath;
    private boolean read;
    private String json;
    private JsonNode object;

    StoredObject(MockStore store, String writePath) {
        this.store = store;
        this.objectPath = writePath.endsWith("/status")
                ? writePath.substring(0, writePath.length() - "/status".length()) : writePath;
    }

    String path() {
        return objectPath;
    }

    /** The object as stored, or null when there is none. */
    JsonNode get() {
        if (!read) {
            read = true;
            json = store.object(objectPath);
            if (json != null) {
                object = parse(json);
            }
        }
        return object;
    }

    /**
     * {@code stored} (the JSON now stored under this object's key) as a tree: the one {@link #get} read when it
     * is still the same string, else parsed anew. The tree is shared: callers copy before they change it.
     */
    JsonNode as(String stored) {
        return read && stored == json ? object : parse(stored);
    }

    private JsonNode parse(String stored) {
        try {
            return MAPPER.readTree(stored);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stored " + objectPath, e);
        }
    }
}
