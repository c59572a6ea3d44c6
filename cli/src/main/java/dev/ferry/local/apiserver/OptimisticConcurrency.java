package dev.ferry.local.apiserver;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.function.Function;

/**
 * Optimistic concurrency, as the real API server does it: an update (or merge patch) that names a
 * resourceVersion is refused with 409 unless it is the stored one. The CRUD mock does not check
 * it, and Ferry's task hand-over (operator assigns, holder reports) relies on it.
 */
final class OptimisticConcurrency {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final MockStore store;
    /** Writes are serialised so that the resourceVersion check and the write are one step. */
    private final Object writeLock = new Object();

    OptimisticConcurrency(MockStore store) {
        this.store = store;
    }

    /**
     * The 409 Conflict when the request names a stale resourceVersion, else what {@code write} answers;
     * both see the one {@link StoredObject} of this write.
     */
    MockResponse write(String path, RecordedRequest request, Function<StoredObject, MockResponse> write) {
        synchronized (writeLock) {
            StoredObject stored = new StoredObject(store, path);
            MockResponse conflict = resourceVersionConflict(stored, request);
            if (conflict != null) {
                return conflict;
            }
            return write.apply(stored);
        }
    }

    private static MockResponse resourceVersionConflict(StoredObject stored, RecordedRequest request) {
        String contentType = request.getHeader("Content-Type");
        boolean checkable = request.method() == HttpMethod.PUT
                || contentType != null && contentType.startsWith("application/merge-patch+json");
        if (!checkable || request.getBody() == null || request.getBody().size() == 0) {
            return null;
        }
        String expected;
        try {
            expected = resourceVersionIn(request.getBody().getBytes());
        } catch (IOException e) {
            return null;
        }
        if (expected.isEmpty() || stored.get() == null
                || stored.get().path("metadata").path("resourceVersion").asText("").equals(expected)) {
            return null;
        }
        return ApiResponses.status(409, "Conflict", "Operation cannot be fulfilled on " + stored.path()
                + ": the object has been modified; please apply your changes to the latest version and try again");
    }

    /**
     * The body's {@code metadata.resourceVersion}, or "": read token by token, skipping everything else,
     * as reading the whole body into a tree for it cost a twentieth of the local API's time.
     */
    static String resourceVersionIn(byte[] body) throws IOException {
        try (JsonParser parser = MAPPER.getFactory().createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!"metadata".equals(field) || value != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken token = parser.nextToken();
                    if ("resourceVersion".equals(name) && token.isScalarValue() && token != JsonToken.VALUE_NULL) {
                        return parser.getValueAsString("");
                    }
                    parser.skipChildren();
                }
                return "";
            }
            return "";
        }
    }
}
