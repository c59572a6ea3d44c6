package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Fabric8 CRUD mock's own behaviour: its store, asked directly, without the local API's additions. */
final class MockStore {
    private static final Logger LOG = LoggerFactory.getLogger(MockStore.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Function<RecordedRequest, MockResponse> crudMock;
    private final Function<String, String> objects;

    /** @param objects the stored JSON of the one object at a path, or null: read from the store's index */
    MockStore(Function<RecordedRequest, MockResponse> crudMock, Function<String, String> objects) {
        this.crudMock = crudMock;
        this.objects = objects;
    }

    /**
     * The object stored at {@code path} (a name's path), as JSON, or null: what a GET of it answers, read
     * straight from the store rather than through an HTTP request and response.
     */
    String object(String path) {
        return objects.apply(path);
    }

    /** The CRUD mock's answer to the request. */
    MockResponse dispatch(RecordedRequest request) {
        return crudMock.apply(request);
    }

    /** The CRUD mock's answer to a GET of {@code path}. */
    MockResponse get(String path) {
        return dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(), new Buffer()));
    }

    /** The catalog as stored right now: CRDs are read from the mock's own store. */
    ResourceCatalog catalog() {
        MockResponse crds = get(ResourceCatalog.CRDS_PATH);
        List<JsonNode> items = new ArrayList<>();
        try {
            if (crds.code() == 200 && crds.getBody() != null) {
                MAPPER.readTree(crds.getBody().getBytes()).path("items").forEach(items::add);
            }
        } catch (IOException e) {
            LOG.warn("cannot read the stored CRDs: {}", e.toString());
        }
        return ResourceCatalog.of(items);
    }
}
