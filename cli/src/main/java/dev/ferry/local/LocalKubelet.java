package dev.ferry.local;

import dev.ferry.api.Ferry;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the ReplicaSet controller and the kubelet for Ferry's worker Deployments in the local
 * mode: it keeps {@code spec.replicas} worker processes running per Deployment, each represented
 * by a Pod object that is Ready while its process lives (annotation {@code ferry.dev/pid}) and is
 * deleted when the process exits. PVC volumes are "mounted" by translating their mount paths in
 * the container's environment to the host directories bound to the claims.
 */
public final class LocalKubelet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalKubelet.class);
    /** What each Ferry component's container runs: the image's entry point, from the same jar. */
    public static final Map<String, String> MAIN_CLASSES = Map.of(
            Ferry.COMPONENT_WORKER, "dev.ferry.worker.WorkerMain",
            Ferry.COMPONENT_OPERATOR, "dev.ferry.operator.OperatorMain");
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration HEALTHY_RUN = Duration.ofSeconds(10);
    /** {@code metadata.labels['key']} or {@code metadata.annotations['key']}. */
    private static final Pattern KEYED_FIELD = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private final KubernetesClient client;
    private final ProcessLauncher launcher;
    private final Map<String, Path> claims = new ConcurrentHashMap<>();
    private final Path logDir;
    private final Map<String, String> mainClasses;
    private final Map<String, LocalPod> pods = new ConcurrentHashMap<>();
    private final Map<String, Backoff> backoffs = new ConcurrentHashMap<>();
    private final Set<String> reportedUnboundClaims = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();
    private SharedIndexInformer<Deployment> deployments;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicInteger consecutiveEarlyExits = new java.util.concurrent.atomic.AtomicInteger();

    public LocalKubelet(KubernetesClient client, ProcessLauncher launcher, Map<String, Path> claims, Path logDir) {
        this(client, launcher, claims, logDir, MAIN_CLASSES);
    }

    /** With other main classes per component label: tests run stand-in processes. */
    public LocalKubelet(KubernetesClient client, ProcessLauncher launcher, Map<String, Path> claims, Path logDir,
            Map<String, String> mainClasses) {
        this.mainClasses = Map.copyOf(mainClasses);
        this.client = client;
        this.launcher = launcher;
        this.claims.putAll(claims);
        this.logDir = logDir;
    }

    public LocalKubelet start() {
        deployments = client.apps().deployments().inAnyNamespace()
                .withLabelIn(Ferry.COMPONENT_LABEL, mainClasses.keySet().toArray(String[]::new))
                .inform();
        loop.scheduleWithFixedDelay(this::syncSafely, 0, 300, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Binds a claim name to a host directory: what a PersistentVolume would be on a cluster. */
    public void bindClaim(String claim, Path directory) {
        claims.put(claim, directory.toAbsolutePath().normalize());
    }

    /** The live worker processes by pod name, for tests and for the progress display. */
    public Map<String, Long> workerPids() {
        Map<String, Long> result = new LinkedHashMap<>();
        pods.values().forEach(p -> result.put(p.name, p.process.pid()));
        return result;
    }

    /** True when worker processes keep dying right after they start: waiting longer will not help. */
    public boolean crashLooping() {
        return consecutiveEarlyExits.get() >= 3;
    }

    public Path logDir() {
        return logDir;
    }

    private void syncSafely() {
        if (closed) {
            return;
        }
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("local kubelet sync failed: {}", e.toString());
        }
    }

    private void sync() {
        Set<String> wanted = new HashSet<>();
        for (Deployment deployment : deployments.getStore().list()) {
            if (deployment.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            wanted.add(deployment.getMetadata().getUid());
            syncDeployment(deployment);
        }
        for (LocalPod pod : List.copyOf(pods.values())) {
            if (!wanted.contains(pod.deploymentUid)) {
                pod.stop();
            }
            pod.killIfStopIsOverdue();
        }
    }

    private void syncDeployment(Deployment deployment) {
        String uid = deployment.getMetadata().getUid();
        int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        List<LocalPod> running = pods.values().stream()
                .filter(p -> p.deploymentUid.equals(uid) && !p.stopping)
                .sorted(Comparator.comparing((LocalPod p) -> p.started).reversed())
                .toList();
        for (int i = desired; i < running.size(); i++) {
            running.get(i).stop();
        }
        Backoff backoff = backoffs.computeIfAbsent(uid, k -> new Backoff());
        if (running.size() < desired && backoff.allows(Instant.now())) {
            startPod(deployment, backoff);
        }
    }

    private void startPod(Deployment deployment, Backoff backoff) {
        var template = deployment.getSpec().getTemplate();
        Container container = template.getSpec().getContainers().get(0);
        Map<String, Path> mounts = resolveMounts(deployment, template.getSpec().getVolumes(), container.getVolumeMounts());
        if (mounts == null) {
            return;
        }
        String namespace = deployment.getMetadata().getNamespace();
        String name = deployment.getMetadata().getName() + "-" + randomSuffix();
        Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .withLabels(template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels())
                    .withAnnotations(template.getMetadata() == null ? Map.of() : template.getMetadata().getAnnotations())
                    .withOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion("apps/v1").withKind("Deployment")
                            .withName(deployment.getMetadata().getName())
                            .withUid(deployment.getMetadata().getUid())
                            .withController(true).build())
                .endMetadata()
                .withSpec(template.getSpec())
                .editSpec().withNodeName("local").endSpec()
                .withStatus(new PodStatusBuilder().withPhase("Pending").build())
                .build()).create();
        Map<String, String> env;
        try {
            env = resolveEnv(pod, container, mounts);
        } catch (ContainerConfigException e) {
            // A kubelet leaves such a pod in CreateContainerConfigError; here it goes and is retried after a backoff.
            log.warn("cannot start pod {}: {}", name, e.getMessage());
            recordEvent(deployment, "Warning", "CreateContainerConfigError", e.getMessage());
            deletePod(namespace, name);
            backoff.failed(Instant.now());
            return;
        }
        Path logFile = logDir.resolve(name + ".log");
        Process process;
        try {
            String component = template.getMetadata() == null || template.getMetadata().getLabels() == null
                    ? Ferry.COMPONENT_WORKER
                    : template.getMetadata().getLabels().getOrDefault(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER);
            process = launcher.start(mainClasses.get(component), ProcessLauncher.jvmOptionsFor(component), env, logFile);
        } catch (Exception e) {
            log.error("cannot start the process for pod {}: {}", name, e.toString());
            deletePod(namespace, name);
            backoff.failed(Instant.now());
            return;
        }
        LocalPod local = new LocalPod(name, namespace, deployment.getMetadata().getUid(), process, Instant.now(), logFile);
        pods.put(name, local);
        markRunning(pod, process.pid());
        process.onExit().thenRun(() -> onExit(local, backoff));
        log.info("started worker pod {} as process {} (log {})", name, process.pid(), logFile);
    }

    private Map<String, Path> resolveMounts(Deployment deployment, List<Volume> volumes, List<VolumeMount> volumeMounts) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount mount : volumeMounts == null ? List.<VolumeMount>of() : volumeMounts) {
            Volume volume = volumes.stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElse(null);
            if (volume == null || volume.getPersistentVolumeClaim() == null) {
                continue;
            }
            String claim = volume.getPersistentVolumeClaim().getClaimName();
            Path dir = claims.get(claim);
            if (dir == null) {
                reportUnboundClaim(deployment, claim);
                return null;
            }
            mounts.put(mount.getMountPath(), dir);
        }
        return mounts;
    }

    private void reportUnboundClaim(Deployment deployment, String claim) {
        String key = deployment.getMetadata().getUid() + "/" + claim;
        if (!reportedUnboundClaims.add(key)) {
            return;
        }
        String message = "claim '" + claim + "' is not bound to a directory in the local mode: start with --volume "
                + claim + "=DIR";
        log.warn("cannot start workers of {}: {}", deployment.getMetadata().getName(), message);
        recordEvent(deployment, "Warning", "FailedMount", message);
    }

    private void recordEvent(Deployment deployment, String type, String reason, String message) {
        try {
            client.v1().events().inNamespace(deployment.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withGenerateName(deployment.getMetadata().getName() + "-").endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                            .withName(deployment.getMetadata().getName())
                            .withNamespace(deployment.getMetadata().getNamespace())
                            .withUid(deployment.getMetadata().getUid()).build())
                    .withType(type).withReason(reason).withMessage(message)
                    .withLastTimestamp(Instant.now().toString())
                    .withCount(1)
                    .build()).create();
        } catch (KubernetesClientException e) {
            log.debug("cannot record event", e);
        }
    }

    /**
     * The container's environment as the kubelet would give it: downward API ({@code fieldRef}) and Secret
     * keys ({@code secretKeyRef}, read from the API now, as a kubelet does at container start) resolved,
     * mount paths translated. A missing Secret or key that is not optional fails the start.
     */
    private Map<String, String> resolveEnv(Pod pod, Container container, Map<String, Path> mounts) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Secret> secrets = new HashMap<>();
        for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            String value = var.getValue();
            EnvVarSource from = var.getValueFrom();
            if (from != null && from.getFieldRef() != null) {
                value = fieldValue(pod, from.getFieldRef().getFieldPath());
            } else if (from != null && from.getSecretKeyRef() != null) {
                value = secretValue(pod.getMetadata().getNamespace(), from.getSecretKeyRef(), secrets);
            }
            if (value != null) {
                env.put(var.getName(), translateMountedPath(value, mounts));
            }
        }
        return env;
    }

    static String fieldValue(Pod pod, String fieldPath) {
        Matcher keyed = KEYED_FIELD.matcher(fieldPath);
        if (keyed.matches()) {
            Map<String, String> map = "labels".equals(keyed.group(1)) ? pod.getMetadata().getLabels()
                    : pod.getMetadata().getAnnotations();
            return map == null ? null : map.get(keyed.group(2));
        }
        return switch (fieldPath) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "spec.nodeName" -> "local";
            case "spec.serviceAccountName" -> pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
            case "status.podIP", "status.hostIP" -> "127.0.0.1";
            default -> null;
        };
    }

    private String secretValue(String namespace, SecretKeySelector ref, Map<String, Secret> read) {
        boolean optional = Boolean.TRUE.equals(ref.getOptional());
        Secret secret = read.computeIfAbsent(ref.getName(),
                name -> client.secrets().inNamespace(namespace).withName(name).get());
        String value = secret == null ? null : secretData(secret, ref.getKey());
        if (value == null && !optional) {
            throw new ContainerConfigException(secret == null
                    ? "secret \"" + ref.getName() + "\" not found"
                    : "couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
        }
        return value;
    }

    /** A key of {@code data} (base64), or of {@code stringData}, which the local API does not fold into data. */
    static String secretData(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            return new String(Base64.getDecoder().decode(secret.getData().get(key).strip()), StandardCharsets.UTF_8);
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }

    /** The container cannot be configured (a Secret or key is missing): it does not start. */
    private static final class ContainerConfigException extends RuntimeException {
        ContainerConfigException(String message) {
            super(message);
        }
    }

    static String translateMountedPath(String value, Map<String, Path> mounts) {
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            String mountPath = mount.getKey();
            if (value.equals(mountPath)) {
                return mount.getValue().toString();
            }
            if (value.startsWith(mountPath.endsWith("/") ? mountPath : mountPath + "/")) {
                return mount.getValue().resolve(value.substring(mountPath.length()).replaceFirst("^/+", "")).toString();
            }
        }
        return value;
    }

    private void markRunning(Pod pod, long pid) {
        String now = Instant.now().toString();
        List<PodCondition> conditions = new ArrayList<>();
        for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
            conditions.add(new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(now).build());
        }
        try {
            Pod running = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .edit(p -> new PodBuilder(p)
                            .editMetadata().addToAnnotations(Ferry.PID_ANNOTATION, Long.toString(pid)).endMetadata()
                            .build());
            running.setStatus(new PodStatusBuilder()
                    .withPhase("Running")
                    .withConditions(conditions)
                    .withHostIP("127.0.0.1")
                    .withPodIP("127.0.0.1")
                    .withStartTime(now)
                    .addNewContainerStatus().withName("worker").withReady(true).withStarted(true).withRestartCount(0)
                        .withImage(pod.getSpec().getContainers().get(0).getImage())
                        .withNewState().withNewRunning().withStartedAt(now).endRunning().endState()
                    .endContainerStatus()
                    .build());
            client.pods().resource(running).updateStatus();
        } catch (KubernetesClientException e) {
            log.warn("cannot mark pod {} running: {}", pod.getMetadata().getName(), e.getMessage());
        }
    }

    private void onExit(LocalPod pod, Backoff backoff) {
        pods.remove(pod.name);
        int code = pod.process.exitValue();
        Duration ran = Duration.between(pod.started, Instant.now());
        if (!pod.stopping) {
            log.warn("worker pod {} (process {}) exited with code {} after {} s; log: {}", pod.name, pod.process.pid(),
                    code, ran.toSeconds(), pod.logFile);
            if (ran.compareTo(HEALTHY_RUN) < 0) {
                backoff.failed(Instant.now());
                consecutiveEarlyExits.incrementAndGet();
            } else {
                backoff.reset();
                consecutiveEarlyExits.set(0);
            }
        }
        deletePod(pod.namespace, pod.name);
    }

    private void deletePod(String namespace, String name) {
        try {
            client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
        } catch (KubernetesClientException | IllegalStateException e) {
            log.debug("cannot delete pod {}: {}", name, e.toString());
        }
    }

    private String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Stops every worker process (SIGTERM, then SIGKILL after a grace period) and deletes their pods. */
    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        if (deployments != null) {
            deployments.close();
        }
        List<LocalPod> all = List.copyOf(pods.values());
        all.forEach(LocalPod::stop);
        Instant deadline = Instant.now().plus(STOP_GRACE);
        for (LocalPod pod : all) {
            try {
                long left = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                if (!pod.process.waitFor(left, TimeUnit.MILLISECONDS)) {
                    pod.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pod.process.destroyForcibly();
            }
            deletePod(pod.namespace, pod.name);
        }
    }

    /** One worker process playing one pod. */
    private static final class LocalPod {
        final String name;
        final String namespace;
        final String deploymentUid;
        final Process process;
        final Instant started;
        final Path logFile;
        volatile boolean stopping;
        volatile Instant stopRequested;

        LocalPod(String name, String namespace, String deploymentUid, Process process, Instant started, Path logFile) {
            this.name = name;
            this.namespace = namespace;
            this.deploymentUid = deploymentUid;
            this.process = process;
            this.started = started;
            this.logFile = logFile;
        }

        void stop() {
            if (!stopping) {
                stopping = true;
                stopRequested = Instant.now();
                process.destroy();
            }
        }

        /** A process that ignores SIGTERM past the grace period is killed, as the kubelet would. */
        void killIfStopIsOverdue() {
            if (stopping && process.isAlive() && Instant.now().isAfter(stopRequested.plus(STOP_GRACE))) {
                process.destroyForcibly();
            }
        }
    }

    /** CrashLoopBackOff, simplified: a process that dies young delays the next start, doubling up to 30 s. */
    private static final class Backoff {
        private Duration delay = Duration.ZERO;
        private Instant notBefore = Instant.MIN;

        synchronized boolean allows(Instant now) {
            return !now.isBefore(notBefore);
        }

        synchronized void failed(Instant now) {
            delay = delay.isZero() ? Duration.ofSeconds(1) : delay.multipliedBy(2);
            if (delay.compareTo(MAX_BACKOFF) > 0) {
                delay = MAX_BACKOFF;
            }
            notBefore = now.plus(delay);
        }

        synchronized void reset() {
            delay = Duration.ZERO;
            notBefore = Instant.MIN;
        }
    }
}
