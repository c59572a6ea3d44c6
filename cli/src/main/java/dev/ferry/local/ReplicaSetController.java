package dev.ferry.local;

import dev.ferry.api.Ferry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Deployment and ReplicaSet controllers do for Ferry's Deployments: every 300 ms, keeps
 * {@code spec.replicas} pods running per Deployment (the newest kept, surplus ones stopped), starts
 * missing ones when the crash-loop backoff allows, replaces the pods of an older pod template by a
 * {@link RollingUpdate} ({@code kubectl rollout restart}), and stops the pods of Deployments that are gone.
 * As the kubelet does, it stops the process of a pod deleted through the API ({@code kubectl delete pod},
 * the operator deleting a hung worker): SIGTERM, SIGKILL after the grace; the Deployment then starts another.
 */
final class ReplicaSetController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSetController.class);

    private final KubernetesClient client;
    private final Set<String> components;
    private final PodProcesses pods;
    private final CrashLoopBackoff backoff;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            BasicThreadFactory.builder().namingPattern("local-kubelet-%d").daemon(true).build());
    private SharedIndexInformer<Deployment> deployments;
    private SharedIndexInformer<Pod> podObjects;
    private volatile boolean closed;

    /** For the Deployments labelled with one of {@code components}. */
    ReplicaSetController(KubernetesClient client, Set<String> components, PodProcesses pods, CrashLoopBackoff backoff) {
        this.client = client;
        this.components = Set.copyOf(components);
        this.pods = pods;
        this.backoff = backoff;
    }

    void start() {
        deployments = client.apps().deployments().inAnyNamespace()
                .withLabelIn(Ferry.COMPONENT_LABEL, components.toArray(String[]::new))
                .inform();
        podObjects = client.pods().inAnyNamespace()
                .withLabelIn(Ferry.COMPONENT_LABEL, components.toArray(String[]::new))
                .inform();
        loop.scheduleWithFixedDelay(this::syncSafely, 0, 300, TimeUnit.MILLISECONDS);
    }

    private void syncSafely() {
        if (closed) {
            return;
        }
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.warn("local kubelet sync failed: {}", e.toString());
        }
    }

    private void sync() {
        Set<String> wanted = new HashSet<>();
        for (Deployment deployment : deployments.getStore().list()) {
            if (deployment.getMetadata().getDeletionTimestamp() != null || !ours(deployment)) {
                continue;
            }
            wanted.add(deployment.getMetadata().getUid());
            syncDeployment(deployment);
        }
        for (LocalPod pod : pods.all()) {
            if (!wanted.contains(pod.deploymentUid)) {
                pod.stop();
            } else if (deletedThroughTheApi(pod)) {
                LOG.info("pod {} was deleted: stopping its process {}", pod.name, pod.process.pid());
                pod.stop();
            }
            pod.killIfStopIsOverdue();
        }
    }

    /**
     * Its Pod object is being deleted, or is gone after it was seen (the local API, like the CRUD mock,
     * removes an object at once). Not seen yet is a pod just started, whose object the informer has yet
     * to deliver.
     */
    private boolean deletedThroughTheApi(LocalPod pod) {
        if (pod.stopping) {
            return false;
        }
        Pod object = podObjects.getIndexer().getByKey(pod.namespace + "/" + pod.name);
        if (object == null) {
            return pod.seenInApi;
        }
        pod.seenInApi = true;
        return object.getMetadata().getDeletionTimestamp() != null;
    }

    /**
     * Whether the Deployment is one of the components this runs. The informer asks for them by a set-based
     * selector ({@code component in (...)}), which the local API, like the CRUD mock under it, does not
     * apply: it lists every Deployment, and a user's own ({@code kubectl create deployment nginx ...})
     * must not become a process.
     */
    private boolean ours(Deployment deployment) {
        Map<String, String> labels = deployment.getMetadata().getLabels();
        // Set.copyOf's contains(null) throws: a Deployment with labels but no component label is not ours.
        String component = labels == null ? null : labels.get(Ferry.COMPONENT_LABEL);
        return component != null && components.contains(component);
    }

    private void syncDeployment(Deployment deployment) {
        String uid = deployment.getMetadata().getUid();
        int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
        String templateHash = PodTemplateHash.of(deployment);
        Instant now = Instant.now();
        List<LocalPod> running = pods.all().stream()
                .filter(p -> p.deploymentUid.equals(uid) && !p.stopping)
                .sorted(Comparator.comparing((LocalPod p) -> p.started).reversed())
                .toList();
        List<LocalPod> current = running.stream().filter(p -> p.templateHash.equals(templateHash)).toList();
        List<LocalPod> old = running.stream().filter(p -> !p.templateHash.equals(templateHash)).toList();
        DeploymentStatusReport.writeIfChanged(client, deployment, DeploymentStatusReport.of(deployment, running, current, now));
        if (old.isEmpty()) {
            for (int i = desired; i < current.size(); i++) {
                current.get(i).stop();
            }
            if (current.size() < desired && backoff.allowsStart(uid, now)) {
                pods.start(deployment);
            }
            return;
        }
        // the template changed (kubectl rollout restart, an edit): replace the old pods a few at a time
        int available = (int) current.stream().filter(p -> p.availableAt(now, RollingUpdate.MIN_READY)).count();
        RollingUpdate rolling = new RollingUpdate(desired, current.size(), available, old.size());
        if (rolling.stopOneOld()) {
            LocalPod oldest = old.get(old.size() - 1);
            LOG.info("rolling update: stopping pod {} of an older template", oldest.name);
            oldest.stop();
        }
        if (rolling.startOne() && backoff.allowsStart(uid, now)) {
            pods.start(deployment);
        }
    }

    /** Stops syncing; the running pods are stopped by {@link PodProcesses#stopAll()}. */
    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        if (deployments != null) {
            deployments.close();
        }
        if (podObjects != null) {
            podObjects.close();
        }
    }
}
