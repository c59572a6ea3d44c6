package dev.ferry.local.apiserver;

import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Fabric8 CRUD mock (its objects indexed: {@link IndexedCrudDispatcher}) plus what the real {@code kubectl} and JOSDK need from an API server:
 * discovery, OpenAPI v3, server-side printing (Table), field selectors on any field, built-in objects sent as
 * protobuf ({@link ProtobufBodies}), the {@code scale} subresource ({@link ScaleSubresource}), status writes
 * whatever their query string, access reviews that allow everything, and custom resources defaulted,
 * pruned and validated against their CRD on every write ({@link CustomResourceAdmission}). Everything
 * else is the CRUD mock's own behaviour. Plain HTTP watches are opened here ({@link #watch}) and streamed by
 * {@link HttpWatch}.
 * This class only routes each request to the part that answers it.
 */
public class LocalApiDispatcher extends Dispatcher implements Resetable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalApiDispatcher.class);

    private final Map<ServerRequest, Queue<ServerResponse>> expectations;
    private final MockDispatcher expected;
    /** Deletions kept for resumed watches: a fold deletes 250 tasks at a time, a watch resumes within minutes. */
    static final int DELETIONS_KEPT = 20_000;

    private final DeletionHistory deletions = new DeletionHistory(DELETIONS_KEPT);
    private final LiveWatches watches = new LiveWatches();
    private final IndexedCrudDispatcher crud = new IndexedCrudDispatcher(deletions, watches);
    private final MockStore store;
    private final DiscoveryEndpoints discovery;
    private final ObjectReads reads;
    private final OptimisticConcurrency concurrency;
    private final CustomResourceAdmission admission;
    private final ScaleSubresource scales = new ScaleSubresource(this::storedAt, this::routed);

    public LocalApiDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, TableBuilder tables) {
        this.expectations = responses;
        this.expected = new MockDispatcher(responses);
        this.store = new MockStore(this::mock, this::storedAt);
        this.discovery = new DiscoveryEndpoints(store);
        this.reads = new ObjectReads(store, tables);
        this.concurrency = new OptimisticConcurrency(store);
        this.admission = new CustomResourceAdmission(store);
    }

    /** The mock's answer, as its mixed mode gives it: a recorded expectation first, else the CRUD store. */
    private MockResponse mock(RecordedRequest request) {
        return expectationFor(HttpMethod.valueOf(request.getMethod()), request.getPath())
                ? expected.dispatch(request) : crud.dispatch(request);
    }

    /** The JSON of the one object stored at {@code path}, or null. */
    private String storedAt(String path) {
        List<String> found = crud.objects().matching(crud.query(path));
        return found.size() == 1 ? found.get(0) : null;
    }

    /**
     * Opens a watch of {@code target} (a collection path with its labelSelector if any, or one object's
     * path) that resumes from {@code since} (0: from now). Taken under the dispatch lock, so no write falls
     * between what it returns and the first live event: the objects in scope now, and the deletions after
     * {@code since} in scope (empty when the history no longer reaches back that far).
     */
    synchronized HttpWatch.Start watch(String target, long since) {
        AttributeSet query = crud.query(target);
        return new HttpWatch.Start(watches.open(query), crud.objects().matching(query),
                since > 0 ? deletions.after(since, query) : Optional.of(List.of()));
    }

    /** The catalog as stored now (printer columns and scopes for watches), read under the dispatch lock. */
    synchronized ResourceCatalog catalog() {
        return store.catalog();
    }

    @Override
    public void reset() {
        crud.reset();
    }

    /**
     * Called by the front's threads ({@link ApiFrontServer}) and by the mock's event loop (requests to the
     * mock's own port: the default namespace at start): one at a time, so a write and the watch events it
     * queues keep their order.
     */
    @Override
    public synchronized MockResponse dispatch(RecordedRequest request) {
        try {
            MockResponse response = route(request);
            crud.collectGarbage();
            return ApiResponses.json(response);
        } catch (RuntimeException | IOException e) {
            LOG.warn("local API failed to answer {}: {}", request, e.toString(), e);
            return ApiResponses.json(ApiResponses.status(500, "InternalError", e.toString()));
        }
    }

    /** The write as admitted (defaulted, pruned, validated) and stored, or its refusal. */
    private MockResponse admitted(RecordedRequest request, RequestPath path, StoredObject stored,
                                  Function<CustomResourceAdmission.Admission, MockResponse> write) {
        crdWritten(path);
        CustomResourceAdmission.Admission admitted;
        try {
            admitted = admission.admit(request, path, stored);
        } catch (IOException e) {
            return ApiResponses.status(400, "BadRequest", "the body is not JSON: " + e.getMessage());
        }
        if (admitted.refusal() != null) {
            return admitted.refusal();
        }
        MockResponse response = write.apply(admitted);
        admitted.warnings().forEach(w -> response.addHeader("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\""));
        return response;
    }

    private void crdWritten(RequestPath path) {
        if (path.path().startsWith(ResourceCatalog.CRDS_PATH)) {
            admission.crdsChanged();
        }
    }

    /**
     * A PUT stored from the object admission read ({@link IndexedCrudDispatcher#replace}); the mock's own
     * answer where admission did not read it, where the mock has an expectation queued, or where the mock
     * must decide.
     */
    private MockResponse replaced(RequestPath path, StoredObject stored, CustomResourceAdmission.Admission admitted) {
        if (admitted.object() != null && !expectationFor(HttpMethod.PUT, path.path())) {
            MockResponse response = crud.replace(path.path(), admitted.object(), stored);
            if (response != null) {
                return response;
            }
        }
        return mockWrite(path, admitted.request());
    }

    /**
     * The mock's answer to a write. It recognises /status only at the very end of the path, and knows JSON
     * and merge patches only: kubectl's strategic merge patches are applied as merge patches.
     */
    private MockResponse mockWrite(RequestPath path, RecordedRequest admitted) {
        return store.dispatch(MockRequests.withPath(admitted, path.path(), MockRequests.mergePatchFor(admitted.getHeaders())));
    }

    private boolean expectationFor(HttpMethod method, String path) {
        Queue<ServerResponse> queued = expectations.get(new SimpleRequest(method, path));
        return queued != null && !queued.isEmpty();
    }

    /** {@link #route} for a request made here (a scale's write of its object), failures answered as the API's. */
    private MockResponse routed(RecordedRequest request) {
        try {
            return route(request);
        } catch (IOException e) {
            return ApiResponses.status(500, "InternalError", e.toString());
        }
    }

    private MockResponse route(RecordedRequest received) throws IOException {
        RecordedRequest request;
        try {
            request = ProtobufBodies.isProtobuf(received) ? ProtobufBodies.asJson(received) : received;
        } catch (ProtobufBodies.UnsupportedBody e) {
            return ApiResponses.status(415, "UnsupportedMediaType", e.getMessage());
        }
        RequestPath path = RequestPath.parse(request.getPath());
        if (ScaleSubresource.isScale(path.resource())) {
            return scales.answer(request, path.resource());
        }
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
                return admitted(request, path, null, admitted -> store.dispatch(
                        MockRequests.withPath(admitted.request(), path.path(), admitted.request().getHeaders())));
            case PUT:
                return concurrency.write(path.path(), request, stored -> admitted(request, path, stored,
                        admitted -> replaced(path, stored, admitted)));
            case PATCH:
                return concurrency.write(path.path(), request, stored -> admitted(request, path, stored,
                        admitted -> mockWrite(path, admitted.request())));
            case DELETE:
                crdWritten(path);
                return store.dispatch(request);
            default:
                return store.dispatch(request);
        }
    }
}
