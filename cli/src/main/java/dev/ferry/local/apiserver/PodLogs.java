package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.ferry.api.Ferry;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Function;

/**
 * {@code GET .../pods/NAME/log}, what {@code kubectl logs} asks for: the file the local kubelet writes the pod's
 * process output to (the Pod's annotation {@value Ferry#LOG_FILE_ANNOTATION}), whole or its last
 * {@code tailLines}, at most {@code limitBytes}, and with {@code follow=true} streamed as it grows until the pod
 * is gone (its process ended). A pod without the annotation has no process yet: answered as a kubelet answers
 * for a container still being created. Only files under a directory the local kubelet writes its pods' logs to
 * are served ({@link LocalKubernetesApi#servePodLogsFrom}): the API has no authentication, and a pod annotated by
 * hand must not make it read any file of this process's user.
 */
final class PodLogs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FOLLOW_POLL = Duration.ofMillis(200);
    /** While following, whether the pod still exists is asked every this many polls. */
    private static final int POLLS_PER_POD_CHECK = 5;
    private static final int CHUNK = 64 << 10;

    private final Function<RecordedRequest, MockResponse> api;
    private final Collection<Path> logDirectories;

    PodLogs(Function<RecordedRequest, MockResponse> api, Collection<Path> logDirectories) {
        this.api = api;
        this.logDirectories = logDirectories;
    }

    static boolean isLogRequest(String method, RequestPath path) {
        RequestPath.Resource resource = method.equals("GET") ? path.resource() : null;
        return resource != null && resource.group().isEmpty() && "pods".equals(resource.plural())
                && resource.name() != null && "log".equals(resource.subresource());
    }

    void serve(HttpExchange exchange, RequestPath path) throws IOException {
        RequestPath.Resource resource = path.resource();
        String podPath = resource.objectPath();
        MockResponse pod = get(podPath);
        if (pod.code() != 200) {
            ApiFrontServer.send(exchange, pod.code(), pod);
            return;
        }
        JsonNode podObject = JSON.readTree(pod.getBody().getBytes());
        String container = podObject.path("spec").path("containers").path(0).path("name").asText("worker");
        if ("true".equals(path.query("previous"))) {
            badRequest(exchange, "previous terminated container \"" + container + "\" in pod \"" + resource.name()
                    + "\" not found");
            return;
        }
        JsonNode logFile = podObject.path("metadata").path("annotations").path(Ferry.LOG_FILE_ANNOTATION);
        if (!logFile.isTextual()) {
            badRequest(exchange, "container \"" + container + "\" in pod \"" + resource.name()
                    + "\" is waiting to start: ContainerCreating");
            return;
        }
        Path file = Path.of(logFile.asText()).toAbsolutePath().normalize();
        if (logDirectories.stream().noneMatch(file::startsWith)) {
            badRequest(exchange, "container \"" + container + "\" in pod \"" + resource.name()
                    + "\" has no log the local kubelet wrote: " + file + " is outside its log directories");
            return;
        }
        Long tailLines = number(path, "tailLines");
        Long limitBytes = number(path, "limitBytes");
        boolean follow = "true".equals(path.query("follow"));
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        try (FileChannel log = FileChannel.open(file, StandardOpenOption.READ)) {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                stream(log, tailLines == null ? 0 : startOfLastLines(log, tailLines), limitBytes, follow, podPath, out);
            }
        } catch (NoSuchFileException e) {
            badRequest(exchange, "container \"" + container + "\" in pod \"" + resource.name()
                    + "\" has no log: " + file + " does not exist");
        }
    }

    /** Copies the file from {@code position}; following, goes on as it grows until the pod is gone. */
    private void stream(FileChannel file, long position, Long limitBytes, boolean follow, String podPath,
                        OutputStream out) throws IOException {
        long left = limitBytes == null ? Long.MAX_VALUE : limitBytes;
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        for (int polls = 1; ; polls++) {
            boolean podGone = follow && polls % POLLS_PER_POD_CHECK == 0 && get(podPath).code() == 404;
            for (int n; left > 0 && (n = file.read(buffer.clear().limit((int) Math.min(CHUNK, left)), position)) > 0; ) {
                out.write(buffer.array(), 0, n);
                position += n;
                left -= n;
            }
            out.flush();
            if (!follow || left <= 0 || podGone) {
                return;
            }
            try {
                Thread.sleep(FOLLOW_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Where the last {@code lines} lines start (a newline ending the file ends its last line, it starts none). */
    static long startOfLastLines(FileChannel file, long lines) throws IOException {
        long size = file.size();
        if (lines <= 0) {
            return size;
        }
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long end = size > 0 && read(file, buffer, size - 1, size) && buffer.get(0) == '\n' ? size - 1 : size;
        long seen = 0;
        while (end > 0) {
            long start = Math.max(0, end - CHUNK);
            read(file, buffer, start, end);
            for (int i = (int) (end - start) - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n' && ++seen == lines) {
                    return start + i + 1;
                }
            }
            end = start;
        }
        return 0;
    }

    /** Reads bytes {@code [start, end)} of the file into the buffer, from its beginning. */
    private static boolean read(FileChannel file, ByteBuffer buffer, long start, long end) throws IOException {
        buffer.clear().limit((int) (end - start));
        while (buffer.hasRemaining()) {
            if (file.read(buffer, start + buffer.position()) < 0) {
                return false;
            }
        }
        return true;
    }

    private MockResponse get(String objectPath) {
        return api.apply(new RecordedRequest("HTTP/1.1", HttpMethod.GET, objectPath, Headers.builder().build(),
                new Buffer(new byte[0])));
    }

    private static Long number(RequestPath path, String name) {
        String value = path.query(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void badRequest(HttpExchange exchange, String message) throws IOException {
        ApiFrontServer.send(exchange, 400, ApiResponses.status(400, "BadRequest", message));
    }
}
