package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.ApiResponses.notFound;
import static dev.ferry.local.apiserver.ApiResponses.ok;
import static dev.ferry.local.apiserver.ApiResponses.okOrNotFound;

import io.fabric8.mockwebserver.http.MockResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paths of the discovery and OpenAPI v3 documents kubectl and JOSDK read, answered from the
 * catalog as stored at the time of the request.
 */
final class DiscoveryEndpoints {
    private static final Pattern GROUP_VERSION = Pattern.compile("/apis/([^/]+)/([^/]+)");
    private static final Pattern OPENAPI_GROUP_VERSION = Pattern.compile("/openapi/v3/(?:api/(v1)|apis/([^/]+)/([^/]+))");

    private final MockStore store;

    DiscoveryEndpoints(MockStore store) {
        this.store = store;
    }

    /** Discovery and OpenAPI documents, or null when the path is not one of them. */
    MockResponse document(String path) {
        if (path.equals("/api")) {
            return ok(DiscoveryDocuments.apiVersions());
        }
        if (path.equals("/apis")) {
            return ok(DiscoveryDocuments.groupList(store.catalog()));
        }
        if (path.equals("/api/v1")) {
            return okOrNotFound(DiscoveryDocuments.resourceList(store.catalog(), "", "v1"));
        }
        Matcher groupVersion = GROUP_VERSION.matcher(path);
        if (groupVersion.matches()) {
            return okOrNotFound(DiscoveryDocuments.resourceList(store.catalog(), groupVersion.group(1),
                    groupVersion.group(2)));
        }
        if (path.equals("/openapi/v3")) {
            return ok(OpenApiDocuments.root(store.catalog()));
        }
        Matcher openApi = OPENAPI_GROUP_VERSION.matcher(path);
        if (openApi.matches()) {
            return openApi.group(1) != null
                    ? okOrNotFound(OpenApiDocuments.groupVersion(store.catalog(), "", "v1"))
                    : okOrNotFound(OpenApiDocuments.groupVersion(store.catalog(), openApi.group(2), openApi.group(3)));
        }
        if (path.startsWith("/openapi/")) {
            return notFound();
        }
        return null;
    }
}
