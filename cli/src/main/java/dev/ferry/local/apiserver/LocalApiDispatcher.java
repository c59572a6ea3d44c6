package dev.ferry.local.apiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.Map;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fabric8 CRUD mock plus what the real {@code kubectl} and JOSDK need from an API server:
 * discovery, OpenAPI v3, server-side printing (Table), field selectors on any field, status writes
 * whatever their query string, and access reviews that allow everything. Everything else is the
 * CRUD mock's own behaviour. Plain HTTP watches are not here: see {@link ApiFrontServer}.
 * This class only routes each request to the part that answers it.
 */
public class LocalApiDispatcher extends KubernetesMixedDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(LocalApiDispatcher.class);

    private final MockStore store;
    private final DiscoveryEndpoints discovery;
    private final ObjectReads reads;
    private final OptimisticConcurrency concurrency;

    public LocalApiDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, TableBuilder tables) {
        super(responses);
        this.store = new MockStore(super::dispatch);
        this.discovery = new DiscoveryEndpoints(store);
        this.reads = new ObjectReads(store, tables);
        this.concurrency = new OptimisticConcurrency(store);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        try {
            return ApiResponses.json(route(request));
        } catch (RuntimeException | IOException e) {
            LOG.warn("local API failed to answer {}: {}", request, e.toString(), e);
            return ApiResponses.json(ApiResponses.status(500, "InternalError", e.toString()));
        }
    }

    private MockResponse route(RecordedRequest request) throws IOException {
        RequestPath path = RequestPath.parse(request.getPath());
        switch (request.method()) {
            case GET:
                if (path.isWatch()) {
                    return store.dispatch(request);
                }
                if (path.path().equals("/version") || path.path().equals("/")) {
                    // Answered by the mock's expectations, which match the path without a query.
                    return store.dispatch(MockRequests.withPath(request, path.path(), request.getHeaders()));
                }
                MockResponse document = discovery.document(path.path());
                return document != null ? document : reads.get(request, path);
            case POST:
                if (AccessReviews.isReview(path.path())) {
                    return AccessReviews.answer(path.path(), request.getBody().readUtf8());
                }
                return store.dispatch(MockRequests.withPath(request, path.path(), request.getHeaders()));
            case PUT:
            case PATCH:
                // The mock recognises /status only at the very end of the path, and knows JSON and
                // merge patches only: kubectl's strategic merge patches are applied as merge patches.
                return concurrency.write(path.path(), request, () -> store.dispatch(
                        MockRequests.withPath(request, path.path(), MockRequests.mergePatchFor(request.getHeaders()))));
            default:
                return store.dispatch(request);
        }
    }
}
