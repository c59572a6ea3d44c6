package dev.ferry.local;

import dev.ferry.api.Ferry;
import dev.ferry.local.ContainerEnvironment.ContainerConfigException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's part: runs each pod as a process of the component's main class, keeps its Pod object
 * Ready while the process lives and deletes it when the process exits. A process that exits
 * unasked counts towards the Deployment's crash-loop backoff. Each process serves its metrics on a
 * port of its own ({@link MetricsPorts}).
 */
final class PodProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(PodProcesses.class);

    private final ProcessLauncher launcher;
    private final Map<String, String> mainClasses;
    private final Path logDir;
    private final PodObjects podObjects;
    private final ClaimBindings claims;
    private final ContainerEnvironment environment;
    private final DeploymentEvents events;
    private final CrashLoopBackoff backoff;
    private final Map<String, LocalPod> pods = new ConcurrentHashMap<>();

    PodProcesses(ProcessLauncher launcher, Map<String, String> mainClasses, Path logDir, PodObjects podObjects,
            ClaimBindings claims, ContainerEnvironment environment, DeploymentEvents events, CrashLoopBackoff backoff) {
        this.launcher = launcher;
        this.mainClasses = mainClasses;
        this.logDir = logDir;
        this.podObjects = podObjects;
        this.claims = claims;
        this.environment = environment;
        this.events = events;
        this.backoff = backoff;
    }

    /** The pods whose processes have not exited yet, stopping ones included. */
    List<LocalPod> all() {
        return List.copyOf(pods.values());
    }

    /** Process ids by pod name. */
    Map<String, Long> pids() {
        Map<String, Long> result = new LinkedHashMap<>();
        pods.values().forEach(p -> result.put(p.name, p.process.pid()));
        return result;
    }

    /** Starts one more pod of the Deployment, unless its claims are unbound or its container cannot start. */
    void start(Deployment deployment) {
        var template = deployment.getSpec().getTemplate();
        Container container = template.getSpec().getContainers().get(0);
        Map<String, Path> mounts = claims.mountsFor(deployment, template.getSpec().getVolumes(),
                container.getVolumeMounts());
        if (mounts == null) {
            return;
        }
        String namespace = deployment.getMetadata().getNamespace();
        String uid = deployment.getMetadata().getUid();
        String name = podObjects.newName(deployment);
        String templateHash = PodTemplateHash.of(deployment);
        Pod pod = podObjects.createPending(deployment, name, templateHash);
        Map<String, String> env;
        try {
            env = environment.resolve(pod, container, mounts);
        } catch (ContainerConfigException e) {
            // A kubelet leaves such a pod in CreateContainerConfigError; here it goes and is retried after a backoff.
            LOG.warn("cannot start pod {}: {}", name, e.getMessage());
            events.warn(deployment, "CreateContainerConfigError", e.getMessage());
            podObjects.delete(namespace, name);
            backoff.failedToStart(uid, Instant.now());
            return;
        }
        OptionalInt metricsPort = MetricsPorts.assign(env);
        Path logFile = logDir.resolve(name + ".log");
        Process process;
        try {
            String component = template.getMetadata() == null || template.getMetadata().getLabels() == null
                    ? Ferry.COMPONENT_WORKER
                    : template.getMetadata().getLabels().getOrDefault(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER);
            process = launcher.start(mainClasses.get(component), ProcessLauncher.jvmOptionsFor(component),
                    ProcessLauncher.environmentFor(component, env, System.getenv()), logFile);
        } catch (Exception e) {
            LOG.error("cannot start the process for pod {}: {}", name, e.toString());
            podObjects.delete(namespace, name);
            backoff.failedToStart(uid, Instant.now());
            return;
        }
        LocalPod local = new LocalPod(name, namespace, uid, templateHash, process, Instant.now(), logFile);
        pods.put(name, local);
        podObjects.markRunning(pod, process.pid(), metricsPort, logFile);
        process.onExit().thenRun(() -> onExit(local));
        LOG.info("started worker pod {} as process {} (log {}{})", name, process.pid(), logFile,
                metricsPort.isPresent() ? ", metrics on port " + metricsPort.getAsInt() : "");
    }

    private void onExit(LocalPod pod) {
        pods.remove(pod.name);
        int code = pod.process.exitValue();
        Duration ran = Duration.between(pod.started, Instant.now());
        if (!pod.stopping) {
            LOG.warn("worker pod {} (process {}) exited with code {} after {} s; log: {}", pod.name, pod.process.pid(),
                    code, ran.toSeconds(), pod.logFile);
            backoff.exited(pod.deploymentUid, ran, Instant.now());
        }
        podObjects.delete(pod.namespace, pod.name);
    }

    /** Stops every process (SIGTERM, then SIGKILL after the grace period) and deletes their pods. */
    void stopAll() {
        List<LocalPod> all = all();
        all.forEach(LocalPod::stop);
        Instant deadline = Instant.now().plus(LocalPod.STOP_GRACE);
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
            podObjects.delete(pod.namespace, pod.name);
        }
    }
}
