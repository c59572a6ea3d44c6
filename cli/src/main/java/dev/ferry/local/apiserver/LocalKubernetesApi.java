package dev.ferry.local.apiserver;

import dev.ferry.api.runtime.FerryKinds;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local mode's Kubernetes API: the Fabric8 mock server in CRUD mode (on an internal loopback
 * port) with {@link LocalApiDispatcher}, behind {@link ApiFrontServer} on the public port, so the
 * real kubectl, JOSDK and Fabric8 clients in other processes can all drive it. In memory only.
 */
public final class LocalKubernetesApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKubernetesApi.class);
    /**
     * The mock web server logs every request at INFO through java.util.logging; a strong reference
     * keeps the WARNING level set here from being garbage-collected with the logger.
     */
    private static final java.util.logging.Logger MOCK_SERVER_LOG = quiet("io.fabric8.mockwebserver");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }
    public static final String NAME = "ferry-local";
    public static final String NAMESPACE = "default";

    private final KubernetesMockServer mock;
    private final ApiFrontServer front;
    private final KubernetesClient client;

    private LocalKubernetesApi(KubernetesMockServer mock, ApiFrontServer front) {
        this.mock = mock;
        this.front = front;
        // Typed reads of Ferry's kinds: the operator of `ferry migrate` and its job watcher use this client.
        this.client = FerryKinds.registeredWith(
                new KubernetesClientBuilder().withConfig(config(url()).withOnlyHttpWatches(true).build()).build());
    }

    /** Starts on 127.0.0.1:{@code port}; 0 picks a free port. */
    public static LocalKubernetesApi start(int port) {
        ObjectUids.startAtRandom();
        MockWebServer web = new MockWebServer();
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        LocalApiDispatcher dispatcher = new LocalApiDispatcher(responses, new TableBuilder(Clock.systemUTC())) {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                // The mock records every request for test assertions; a long-lived API must not.
                forgetRecordedRequests(web);
                return super.dispatch(request);
            }
        };
        VersionInfo version = new VersionInfo.Builder().withMajor("1").withMinor("32")
                .withGitVersion("v1.32.0-ferry-local").withPlatform("local").build();
        KubernetesMockServer mock = new KubernetesMockServer(new Context(Serialization.jsonMapper()), web, responses,
                dispatcher, false, version);
        mock.init(InetAddress.getLoopbackAddress(), 0);
        try {
            // A cluster always has its default namespace; kubectl get ns and namespace checks expect it.
            URI backend = URI.create("http://127.0.0.1:" + mock.getPort() + "/");
            try (KubernetesClient backendClient = new KubernetesClientBuilder().withConfig(config(backend.toString()).build()).build()) {
                backendClient.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                        .endMetadata().build()).create();
            }
            ApiFrontServer front = ApiFrontServer.start(port, dispatcher, new TableBuilder(Clock.systemUTC()));
            LocalKubernetesApi api = new LocalKubernetesApi(mock, front);
            LOG.info("local Kubernetes API listening on {}", api.url());
            return api;
        } catch (IOException | RuntimeException e) {
            mock.destroy();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static void forgetRecordedRequests(MockWebServer web) {
        try {
            while (web.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
                // drop
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ConfigBuilder config(String url) {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace(NAMESPACE).withHttp2Disable(true)
                .withTrustCerts(true);
    }

    /** {@code http://127.0.0.1:<port>}, the public address. */
    public String url() {
        return "http://127.0.0.1:" + front.port();
    }

    /** A Fabric8 client of the public address (watches over plain HTTP). */
    public KubernetesClient client() {
        return client;
    }

    /**
     * Lets {@code kubectl logs} read the log files of pods under {@code directory} (where the local kubelet
     * writes them); files elsewhere are never served, whatever a pod's annotation names.
     */
    public void servePodLogsFrom(Path directory) {
        front.servePodLogsFrom(directory);
    }

    /**
     * Writes a kubeconfig (cluster, context and user {@value #NAME}, namespace default). The local API
     * checks no credentials, but the user carries a token anyway: a Fabric8 client whose kubeconfig
     * user has none re-reads the file on every request, looking for fresh ones (a quarter of the
     * operator's CPU in the scale benchmark).
     */
    public Path writeKubeconfig(Path file) {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                contexts:
                - name: %1$s
                  context:
                    cluster: %1$s
                    user: %1$s
                    namespace: %3$s
                current-context: %1$s
                preferences: {}
                users:
                - name: %1$s
                  user:
                    token: ferry-local
                """.formatted(NAME, url(), NAMESPACE);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, kubeconfig);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        front.close();
        mock.destroy();
    }
}
