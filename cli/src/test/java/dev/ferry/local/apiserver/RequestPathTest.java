package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestPathTest {
    @Test
    void readsNamespacedAndClusterScopedAddresses() {
        assertThat(RequestPath.parse("/apis/ferry.dev/v1alpha1/namespaces/default/migrationjobs/a/status?x=1").resource())
                .isEqualTo(new RequestPath.Resource("ferry.dev", "v1alpha1", "default", "migrationjobs", "a", "status"));
        assertThat(RequestPath.parse("/api/v1/namespaces/default").resource())
                .isEqualTo(new RequestPath.Resource("", "v1", null, "namespaces", "default", null));
        assertThat(RequestPath.parse("/api/v1/pods").resource())
                .isEqualTo(new RequestPath.Resource("", "v1", null, "pods", null, null));
        assertThat(RequestPath.parse("/apis/ferry.dev/v1alpha1").resource()).isNull();
    }

    @Test
    void decodesAndDropsQueryParameters() {
        RequestPath path = RequestPath.parse("/api/v1/events?fieldSelector=involvedObject.name%3Da&limit=500&watch=1");

        assertThat(path.query("fieldSelector")).isEqualTo("involvedObject.name=a");
        assertThat(path.isWatch()).isTrue();
        assertThat(path.without("fieldSelector")).isEqualTo("/api/v1/events?limit=500&watch=1");
        assertThat(RequestPath.parse("/api/v1/events?fieldSelector=a%3Db").without("fieldSelector"))
                .isEqualTo("/api/v1/events");
    }
}
