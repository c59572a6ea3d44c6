package dev.ferry.operator.workers;

import dev.ferry.api.Ferry;
import dev.ferry.api.MarkMigrated;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.NotificationsSpec;
import dev.ferry.api.SecretKeyReference;
import dev.ferry.api.WorkersSpec;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.config.WorkerPodDefaults;
import dev.ferry.operator.config.WorkerPodMetadata;
import dev.ferry.operator.state.Owners;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds the desired worker Deployment of a job, per the project's worker convention. */
public final class WorkerDeploymentFactory {
    public static final String CONTAINER = "worker";
    public static final String SOURCE_VOLUME = "source";
    public static final String SOURCE_ROOT = "/mnt/source";
    static final String TMP_VOLUME = "tmp";
    /**
     * Hash of the pod template we asked for. An API server fills defaults into the template, so
     * comparing templates would always differ; comparing what we asked for does not.
     */
    public static final String TEMPLATE_HASH_ANNOTATION = "ferry.dev/template-hash";
    /**
     * Every key of {@code spec.notifications.kafka.secret} reaches the worker as {@code FERRY_KAFKA_<key>}, a
     * Kafka client property (worker-image {@code KafkaClientProperties}): the worker reads no Secret itself.
     */
    public static final String KAFKA_ENV_PREFIX = Ferry.KAFKA_ENV_PREFIX;

    private final OperatorSettings settings;

    public WorkerDeploymentFactory(OperatorSettings settings) {
        this.settings = settings;
    }

    public static String name(MigrationJob job) {
        return job.getMetadata().getName() + "-worker";
    }

    public static Map<String, String> labels(String jobName) {
        return WorkerPodMetadata.ferryLabels(jobName);
    }

    /** The replicas a job asks for while it runs; the caller scales to zero when suspended or finished. */
    public int requestedReplicas(MigrationJob job) {
        WorkersSpec workers = job.getSpec().workers;
        return workers == null ? settings.defaultWorkerReplicas() : workers.replicasOrDefault();
    }

    public Deployment desired(MigrationJob job, int replicas) {
        return desired(job, replicas, Optional.empty());
    }

    /**
     * The Deployment whose pod template carries {@code secretsDigest} ({@link WorkerSecrets}): when it changes,
     * so does the template, and the Deployment starts new pods with the Secrets' new values.
     */
    public Deployment desired(MigrationJob job, int replicas, Optional<String> secretsDigest) {
        String jobName = job.getMetadata().getName();
        Map<String, String> labels = labels(jobName);
        PodTemplateSpec template = podTemplate(job, labels, secretsDigest);
        return new DeploymentBuilder()
                .withNewMetadata()
                    .withName(name(job))
                    .withNamespace(job.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withAnnotations(Map.of(TEMPLATE_HASH_ANNOTATION, hash(template)))
                    .withOwnerReferences(Owners.controlledBy(job))
                .endMetadata()
                .withNewSpec()
                    .withReplicas(replicas)
                    .withNewSelector()
                        .withMatchLabels(Map.of(Ferry.JOB_LABEL, jobName, Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER))
                    .endSelector()
                    .withTemplate(template)
                .endSpec()
                .build();
    }

    private PodTemplateSpec podTemplate(MigrationJob job, Map<String, String> labels, Optional<String> secretsDigest) {
        MigrationJobSpec spec = job.getSpec();
        WorkersSpec workers = spec.workersOrDefaults();
        // The platform's defaults (the chart's workers.* values) where the job does not say.
        WorkerPodDefaults defaults = settings.workerPodDefaults();
        // only Move deletes source files, only markMigrated: Xattr writes to them (an extended attribute)
        boolean readOnly = spec.modeOrDefault() != MigrationMode.Move
                && spec.source.markMigratedOrDefault() != MarkMigrated.Xattr;
        Container container = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(workers.image != null && !workers.image.isBlank() ? workers.image : settings.workerImage())
                .withEnv(env(job))
                .withEnvFrom(envFrom(job))
                .withResources(workers.resources != null ? workers.resources : defaults.resources())
                .addNewVolumeMount()
                    .withName(SOURCE_VOLUME)
                    .withMountPath(SOURCE_ROOT)
                    .withReadOnly(readOnly)
                .endVolumeMount()
                .addNewVolumeMount()
                    .withName(TMP_VOLUME)
                    .withMountPath("/tmp")
                .endVolumeMount()
                .withSecurityContext(containerSecurity())
                // The Prometheus endpoint (docs/metrics.md); a PodMonitor selects it by this name.
                .addNewPort()
                    .withName(Ferry.METRICS_PORT_NAME)
                    .withContainerPort(Ferry.DEFAULT_METRICS_PORT)
                    .withProtocol("TCP")
                .endPort()
                .build();
        return new PodTemplateSpecBuilder()
                .withNewMetadata()
                    .withLabels(WorkerPodMetadata.labels(defaults.podLabels(), workers.podLabels, labels))
                    .withAnnotations(annotations(defaults, workers, secretsDigest))
                .endMetadata()
                .withNewSpec()
                    .withServiceAccountName(settings.workerServiceAccount())
                    .withPriorityClassName(workers.priorityClassName != null && !workers.priorityClassName.isBlank()
                            ? workers.priorityClassName : defaults.priorityClassName())
                    .withSecurityContext(podSecurity(workers))
                    .withContainers(container)
                    .addNewVolume()
                        .withName(SOURCE_VOLUME)
                        .withNewPersistentVolumeClaim(spec.source.pvc, readOnly)
                    .endVolume()
                    .addNewVolume()
                        .withName(TMP_VOLUME)
                        .withNewEmptyDir().endEmptyDir()
                    .endVolume()
                    .withNodeSelector(workers.nodeSelector != null ? workers.nodeSelector : defaults.nodeSelector())
                    .withTolerations(workers.tolerations != null ? workers.tolerations : defaults.tolerations())
                    .withAffinity(workers.affinity != null ? workers.affinity : defaults.affinity())
                    .withImagePullSecrets(defaults.imagePullSecrets())
                .endSpec()
                .build();
    }

    /** The platform's and the job's pod annotations, and the digest of the Secrets (Ferry's key: users cannot set it). */
    private static Map<String, String> annotations(WorkerPodDefaults defaults, WorkersSpec workers,
            Optional<String> secretsDigest) {
        Map<String, String> annotations = WorkerPodMetadata.annotations(defaults.podAnnotations(), workers.podAnnotations);
        if (secretsDigest.isEmpty()) {
            return annotations;
        }
        Map<String, String> withDigest = annotations == null ? new LinkedHashMap<>() : new LinkedHashMap<>(annotations);
        withDigest.put(WorkerSecrets.DIGEST_ANNOTATION, secretsDigest.get());
        return withDigest;
    }

    /**
     * Least privilege, as the Pod Security Standards' "restricted" profile asks: never root, the
     * RuntimeDefault seccomp profile, and the user and groups the job names (a NAS readable only by a
     * given uid or group).
     */
    private static PodSecurityContext podSecurity(WorkersSpec workers) {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(workers.runAsUser)
                .withRunAsGroup(workers.runAsGroup)
                .withFsGroup(workers.fsGroup)
                .withSupplementalGroups(workers.supplementalGroups)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }

    /**
     * No privilege escalation, no capabilities, a read-only root filesystem: the worker writes only to
     * the store, to the source under Move, and to {@code /tmp} (an emptyDir: the JVM's temporary files).
     */
    private static SecurityContext containerSecurity() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withPrivileged(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .build();
    }

    /**
     * Who the worker is (downward API), what it serves, the port of its {@code /metrics}, and its S3
     * credentials (and the PEM of {@code spec.destination.endpointCA}) straight from the job's Secrets: the kubelet resolves them when a container starts, so the worker need not read the Secret
     * through the API, and the Deployment holds no secret value. A changed value reaches the workers through a
     * new pod template ({@link WorkerSecrets}).
     */
    private List<EnvVar> env(MigrationJob job) {
        String secret = job.getSpec().destination.credentialsSecret;
        List<EnvVar> env = new ArrayList<>(List.of(
                new EnvVarBuilder().withName("FERRY_JOB").withValue(job.getMetadata().getName()).build(),
                new EnvVarBuilder().withName("FERRY_SOURCE_ROOT").withValue(SOURCE_ROOT).build(),
                fieldRef("POD_NAME", "metadata.name"),
                fieldRef("POD_NAMESPACE", "metadata.namespace"),
                fieldRef("POD_UID", "metadata.uid")));
        if (secret != null && !secret.isBlank()) {
            // without a Secret nothing is set: the SDK's default chain finds the pod's own identity
            env.add(secretKeyRef(Ferry.SECRET_ACCESS_KEY_ID, secret, false));
            env.add(secretKeyRef(Ferry.SECRET_SECRET_ACCESS_KEY, secret, false));
            env.add(secretKeyRef(Ferry.SECRET_SESSION_TOKEN, secret, true));
        }
        env.add(new EnvVarBuilder().withName(Ferry.METRICS_PORT_ENV)
                .withValue(Integer.toString(Ferry.DEFAULT_METRICS_PORT)).build());
        SecretKeyReference endpointCA = job.getSpec().destination.endpointCA;
        if (endpointCA != null) { // only when set, as the log format below
            env.add(new EnvVarBuilder().withName(Ferry.ENDPOINT_CA_ENV)
                    .withNewValueFrom().withNewSecretKeyRef().withName(endpointCA.name).withKey(endpointCA.keyOrDefault())
                    .withOptional(false).endSecretKeyRef().endValueFrom()
                    .build());
        }
        String logFormat = settings.workerPodDefaults().logFormat();
        if (logFormat != null) { // only when set: the template (and its hash) of other installs stays as it was
            env.add(new EnvVarBuilder().withName(Ferry.LOG_FORMAT_ENV).withValue(logFormat).build());
        }
        return env;
    }

    /**
     * Kafka's client properties (TLS, SASL) from the Secret the job names, resolved by the kubelet like the
     * credentials. Null without one, so that the template (and its hash) of such a job stays as it was.
     */
    private static List<EnvFromSource> envFrom(MigrationJob job) {
        NotificationsSpec notifications = job.getSpec().notifications;
        String secret = notifications == null || notifications.kafka == null ? null : notifications.kafka.secret;
        if (secret == null || secret.isBlank()) {
            return null;
        }
        return List.of(new EnvFromSourceBuilder().withPrefix(KAFKA_ENV_PREFIX)
                .withNewSecretRef().withName(secret).endSecretRef()
                .build());
    }

    /** The env variable named like the Secret's key (the S3 tools' convention), from that key. */
    private static EnvVar secretKeyRef(String key, String secret, boolean optional) {
        return new EnvVarBuilder().withName(key)
                .withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).withOptional(optional)
                .endSecretKeyRef().endValueFrom()
                .build();
    }

    private static EnvVar fieldRef(String name, String path) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewFieldRef().withFieldPath(path).endFieldRef().endValueFrom()
                .build();
    }

    private static String hash(PodTemplateSpec template) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
