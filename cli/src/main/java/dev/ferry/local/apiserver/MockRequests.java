package dev.ferry.local.apiserver;

import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;

/** Requests rewritten into what the CRUD mock understands. */
final class MockRequests {
    private MockRequests() {
    }

    /** The request with another path (a query taken off, say) and headers. */
    static RecordedRequest withPath(RecordedRequest request, String path, Headers headers) {
        return new RecordedRequest(request.getHttpVersion(), request.method(), path, headers, request.getBody());
    }

    /**
     * The mock knows JSON and merge patches only: kubectl's strategic merge patches are applied as
     * merge patches.
     */
    static Headers mergePatchFor(Headers headers) {
        String contentType = headers.header("Content-Type");
        if (contentType != null && contentType.startsWith("application/strategic-merge-patch+json")) {
            return headers.newBuilder().set("Content-Type", "application/merge-patch+json").build();
        }
        return headers;
    }
}
