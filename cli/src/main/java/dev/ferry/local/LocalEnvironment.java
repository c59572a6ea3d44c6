package dev.ferry.local;

import dev.ferry.api.CrdResources;
import dev.ferry.local.apiserver.LocalKubernetesApi;
import dev.ferry.operator.FerryOperator;
import dev.ferry.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole Ferry installation on one machine: the local Kubernetes API with Ferry's CRDs, the
 * operator, the local kubelet that runs worker pods as processes, and (unless an external endpoint
 * is used) an embedded S3. Started in dependency order and closed in reverse.
 */
public final class LocalEnvironment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEnvironment.class);
    public static final String NAMESPACE = "default";

    private final LocalKubernetesApi api;
    private final LocalS3 s3;
    private final FerryOperator operator;
    private final LocalKubelet kubelet;
    private final Path kubeconfig;

    private LocalEnvironment(LocalKubernetesApi api, LocalS3 s3, FerryOperator operator, LocalKubelet kubelet,
            Path kubeconfig) {
        this.api = api;
        this.s3 = s3;
        this.operator = operator;
        this.kubelet = kubelet;
        this.kubeconfig = kubeconfig;
    }

    /** What to start. {@code s3Port} null means no embedded S3 (an external endpoint is used). */
    /**
     * What to start. {@code s3Port} null means no embedded S3 (an external endpoint is used).
     * {@code operatorProcesses} 0 runs the operator inside this process; N runs N operator processes
     * with leader election, as the Helm chart does on a cluster.
     */
    public record Options(Path workDir, int apiPort, Integer s3Port, S3Credentials embeddedS3Credentials,
            Map<String, Path> claims, Path kubeconfig, int defaultWorkerReplicas, int operatorProcesses) {
    }

    public static LocalEnvironment start(Options options) throws Exception {
        Files.createDirectories(options.workDir());
        LocalKubernetesApi api = null;
        LocalS3 s3 = null;
        FerryOperator operator = null;
        try {
            api = LocalKubernetesApi.start(options.apiPort());
            Path kubeconfig = api.writeKubeconfig(options.kubeconfig() != null
                    ? options.kubeconfig() : options.workDir().resolve("kubeconfig"));
            installCrds(api.client());
            BoundClaimObjects.create(api.client(), NAMESPACE, options.claims());
            if (options.s3Port() != null) {
                s3 = LocalS3.start(options.s3Port(), options.workDir().resolve("s3"), options.embeddedS3Credentials());
            }
            if (options.operatorProcesses() == 0) {
                operator = FerryOperator.start(api.client(), OperatorSettings.defaults()
                        .withDefaultWorkerReplicas(options.defaultWorkerReplicas()));
            } else {
                api.client().apps().deployments().inNamespace(NAMESPACE).resource(OperatorDeployment.of(NAMESPACE,
                        options.operatorProcesses(), options.defaultWorkerReplicas())).create();
            }
            Path logDir = options.workDir().resolve("logs");
            api.servePodLogsFrom(logDir);
            LocalKubelet kubelet = new LocalKubelet(api.client(), new ProcessLauncher(kubeconfig, List.of(),
                    ClassArchives.fromEnvironment(System.getenv(), System.getProperty("java.class.path"),
                            System.getProperty("user.home"))),
                    options.claims(), logDir).start();
            return new LocalEnvironment(api, s3, operator, kubelet, kubeconfig);
        } catch (Exception | Error e) {
            closeQuietly(operator);
            closeQuietly(s3);
            closeQuietly(api);
            throw e;
        }
    }

    private static void installCrds(KubernetesClient client) {
        for (String file : CrdResources.FILES) {
            CustomResourceDefinition crd = Serialization.unmarshal(CrdResources.read(file), CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(NonDeletingOperation::update);
        }
    }

    /** Creates or replaces the Secret a job names as its credentialsSecret. */
    public void putCredentialsSecret(String name, S3Credentials credentials) {
        putSecret(name, credentials.asSecretData());
    }

    /** Creates or replaces the Secret {@code name} holding {@code data} (keys, the CA bundle of {@code --ca-bundle}). */
    public void putSecret(String name, Map<String, String> data) {
        client().secrets().inNamespace(NAMESPACE).resource(new SecretBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .withType("Opaque")
                .withData(base64(data))
                .build()).createOr(NonDeletingOperation::update);
    }

    /** The real API server converts stringData to data; the local one stores what it is given. */
    private static Map<String, String> base64(Map<String, String> data) {
        Map<String, String> encoded = new java.util.LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, java.util.Base64.getEncoder()
                .encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return encoded;
    }

    public KubernetesClient client() {
        return api.client();
    }

    public String apiUrl() {
        return api.url();
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public LocalS3 s3() {
        return s3;
    }

    public LocalKubelet kubelet() {
        return kubelet;
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(kubelet);
        closeQuietly(operator);
        closeQuietly(s3);
        closeQuietly(api);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("error while stopping {}: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }
}
