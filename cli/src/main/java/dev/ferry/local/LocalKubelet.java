package dev.ferry.local;

import dev.ferry.api.Ferry;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Map;

/**
 * Plays the ReplicaSet controller and the kubelet for Ferry's worker Deployments in the local
 * mode: it keeps {@code spec.replicas} worker processes running per Deployment, each represented
 * by a Pod object that is Ready while its process lives (annotation {@code ferry.dev/pid}) and is
 * deleted when the process exits. PVC volumes are "mounted" by translating their mount paths in
 * the container's environment to the host directories bound to the claims.
 *
 * <p>Wires {@link ReplicaSetController} (how many pods), {@link PodProcesses} (a process per pod),
 * {@link ContainerEnvironment}, {@link ClaimBindings} and {@link CrashLoopBackoff} together.
 */
public final class LocalKubelet implements AutoCloseable {
    /** What each Ferry component's container runs: the image's entry point, from the same jar. */
    public static final Map<String, String> MAIN_CLASSES = Map.of(
            Ferry.COMPONENT_WORKER, "dev.ferry.worker.WorkerMain",
            Ferry.COMPONENT_OPERATOR, "dev.ferry.operator.OperatorMain");

    private final Path logDir;
    private final ClaimBindings claims;
    private final CrashLoopBackoff backoff = new CrashLoopBackoff();
    private final PodProcesses pods;
    private final ReplicaSetController replicaSets;

    public LocalKubelet(KubernetesClient client, ProcessLauncher launcher, Map<String, Path> claims, Path logDir) {
        this(client, launcher, claims, logDir, MAIN_CLASSES);
    }

    /** With other main classes per component label: tests run stand-in processes. */
    public LocalKubelet(KubernetesClient client, ProcessLauncher launcher, Map<String, Path> claims, Path logDir,
            Map<String, String> mainClasses) {
        Map<String, String> components = Map.copyOf(mainClasses);
        DeploymentEvents events = new DeploymentEvents(client);
        this.logDir = logDir;
        this.claims = new ClaimBindings(claims, events);
        this.pods = new PodProcesses(launcher, components, logDir, new PodObjects(client), this.claims,
                new ContainerEnvironment(client), events, backoff);
        this.replicaSets = new ReplicaSetController(client, components.keySet(), pods, backoff);
    }

    public LocalKubelet start() {
        replicaSets.start();
        return this;
    }

    /** Binds a claim name to a host directory: what a PersistentVolume would be on a cluster. */
    public void bindClaim(String claim, Path directory) {
        claims.bind(claim, directory);
    }

    /** The live worker processes by pod name, for tests and for the progress display. */
    public Map<String, Long> workerPids() {
        return pods.pids();
    }

    /** True when worker processes keep dying right after they start: waiting longer will not help. */
    public boolean crashLooping() {
        return backoff.crashLooping();
    }

    public Path logDir() {
        return logDir;
    }

    /** Stops every worker process (SIGTERM, then SIGKILL after a grace period) and deletes their pods. */
    @Override
    public void close() {
        replicaSets.close();
        pods.stopAll();
    }
}
