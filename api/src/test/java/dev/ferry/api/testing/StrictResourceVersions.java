package dev.ferry.api.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Optimistic concurrency on the Fabric8 CRUD mock, as the real API server (and Ferry's local API) does it: a
 * PUT or merge patch whose body names a {@code metadata.resourceVersion} other than the stored one is answered
 * 409 Conflict — on the object and on its {@code /status}. The mock (7.5) does not check it for {@code /status}
 * writes, and Ferry's hand-over of tasks (the operator assigns and takes back, the holder reports) is fenced by
 * exactly that check; without it a test passes on a stale write the real server would refuse.
 *
 * <p>Register after {@code @EnableKubernetesMockClient(crud = true)}: {@code @ExtendWith(StrictResourceVersions.class)}.
 * Before each test it wraps the dispatcher of every {@link KubernetesMockServer} field (static or not) of the
 * test class, and fails the test when there is none.
 */
public final class StrictResourceVersions implements BeforeEachCallback {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public void beforeEach(ExtensionContext context) throws IllegalAccessException {
        Object instance = context.getRequiredTestInstance();
        boolean found = false;
        for (Class<?> type = context.getRequiredTestClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getType() == KubernetesMockServer.class) {
                    field.setAccessible(true);
                    Object server = field.get(Modifier.isStatic(field.getModifiers()) ? null : instance);
                    if (server != null) {
                        enforce((KubernetesMockServer) server);
                        found = true;
                    }
                }
            }
        }
        if (!found) {
            // Else the test would run on the lax mock while it reads as if it were fenced.
            throw new IllegalStateException(context.getRequiredTestClass().getSimpleName()
                    + " has no KubernetesMockServer field (static when its client is) for StrictResourceVersions");
        }
    }

    /** Makes {@code server} refuse stale writes; a server already doing so is left as it is. */
    public static void enforce(KubernetesMockServer server) {
        MockWebServer web = read(DefaultMockServer.class, "server", server);
        Dispatcher dispatcher = dispatcherOf(server);
        if (dispatcher instanceof Fenced) {
            return;
        }
        if (!(dispatcher instanceof KubernetesMixedDispatcher)) {
            throw new IllegalStateException("not a CRUD mock (crud = true): " + dispatcher);
        }
        KubernetesCrudDispatcher crud = read(KubernetesMixedDispatcher.class, "kubernetesCrudDispatcher", dispatcher);
        web.setDispatcher(new Fenced(dispatcher, crud));
    }

    /** What answers {@code server}'s requests now. */
    static Dispatcher dispatcherOf(KubernetesMockServer server) {
        return read(MockWebServer.class, "dispatcher", read(DefaultMockServer.class, "server", server));
    }

    /** The resourceVersion a write's body names, or "" when it names none (an unconditional write). */
    static String resourceVersionIn(RecordedRequest request) {
        String contentType = request.getHeader("Content-Type");
        boolean conditional = request.method() == HttpMethod.PUT
                || request.method() == HttpMethod.PATCH && contentType != null
                        && contentType.startsWith("application/merge-patch+json");
        if (!conditional || request.getBody() == null || request.getBody().size() == 0) {
            return "";
        }
        try {
            return MAPPER.readTree(request.getBody().getBytes()).path("metadata").path("resourceVersion").asText("");
        } catch (IOException notJson) {
            return "";
        }
    }

    private static final class Fenced extends Dispatcher {
        private final Dispatcher delegate;
        private final KubernetesCrudDispatcher crud;

        Fenced(Dispatcher delegate, KubernetesCrudDispatcher crud) {
            this.delegate = delegate;
            this.crud = crud;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            if (request.method() == HttpMethod.GET) {
                return delegate.dispatch(request);
            }
            // Every write under one lock, so that no other write comes between the check and this write.
            synchronized (this) {
                String expected = resourceVersionIn(request);
                String stored = expected.isEmpty() ? "" : storedResourceVersion(request.getPath());
                if (!stored.isEmpty() && !stored.equals(expected)) {
                    return conflict(request.getPath());
                }
                return delegate.dispatch(request);
            }
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        private String storedResourceVersion(String path) {
            String object = path.split("\\?", 2)[0];
            if (object.endsWith("/status")) {
                object = object.substring(0, object.length() - "/status".length());
            }
            AttributeSet key = crud.getKey(object);
            Map.Entry<AttributeSet, String> found = key == null ? null : crud.findResource(key);
            if (found == null) {
                return "";
            }
            try {
                JsonNode stored = MAPPER.readTree(found.getValue());
                return stored.path("metadata").path("resourceVersion").asText("");
            } catch (IOException e) {
                return "";
            }
        }

        private static MockResponse conflict(String path) {
            String message = "Operation cannot be fulfilled on " + path
                    + ": the object has been modified; please apply your changes to the latest version and try again";
            Map<String, Object> status = Map.of("apiVersion", "v1", "kind", "Status", "status", "Failure",
                    "reason", "Conflict", "code", 409, "message", message);
            try {
                return new MockResponse().setResponseCode(409).setBody(MAPPER.writeValueAsString(status));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T read(Class<?> owner, String name, Object from) {
        try {
            Field field = owner.getDeclaredField(name);
            field.setAccessible(true);
            return (T) field.get(from);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the Fabric8 mock's field " + owner.getSimpleName() + "."
                    + name + " (has the mock changed?)", e);
        }
    }
}
