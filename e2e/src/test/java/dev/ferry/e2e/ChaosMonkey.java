package dev.ferry.e2e;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.MigrationTask;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Does to a running job what a cluster does to it on a bad day, at points of its progress (the fraction of its
 * files done), so every fault meets a job that is still running whatever the machine's speed:
 * <ul>
 *   <li>every {@link #KILL_EVERY}, {@code kill -9} of a random worker (the Deployment replaces it);</li>
 *   <li>at 10 % and 50 %, {@code kill -9} of the leading operator;</li>
 *   <li>at 20 %, one of the two S3 gateways down for {@link #GATEWAY_DOWN};</li>
 *   <li>at 30 %, a worker that holds a running task hung (SIGSTOP) for {@code hang}, then let go (SIGCONT);</li>
 *   <li>at 65 %, {@code kubectl rollout restart} of the workers.</li>
 * </ul>
 * Only workers that are copying are killed: a worker that holds a Running task it has moved forward since it was
 * handed the task ({@code progressTime} after {@code assignment.since}); when none is, the kill waits for the next
 * tick. On two busy cores a new worker needs 10 to 20 s from its start to its first copied file (JVM warm-up, the
 * S3 client's first request), so killing any worker every 5 s left none that ever copied: that tests the machine,
 * not Ferry. On a cluster each worker has CPUs of its own and copies within seconds. The report says how many
 * kills there were and how far apart.
 */
final class ChaosMonkey implements AutoCloseable {
    static final Duration KILL_EVERY = Duration.ofSeconds(5);
    static final Duration GATEWAY_DOWN = Duration.ofSeconds(30);
    private static final String NAMESPACE = "default";

    /** What was done, and when (seconds since start). */
    record Act(double at, String what) {
    }

    /** A hung worker: its pod's name and uid (whose tasks the suite expects handed on). */
    record Hang(String pod, String podUid) {
    }

    private final KubernetesClient client;
    private final Path kubeconfig;
    private final String job;
    private final int files;
    private final Path gatewayData;
    private final int gatewayPort;
    private final S3Credentials credentials;
    private final Duration hang;
    private final Random random;
    private final ScheduledExecutorService loop = Executors.newScheduledThreadPool(2);
    private final List<Act> acts = Collections.synchronizedList(new ArrayList<>());
    private final Instant start = Instant.now();
    private volatile LocalS3 gateway;
    private volatile boolean finished;
    private volatile Instant lastKill = Instant.MIN;
    private volatile String hungPod;
    /**
     * Workers killed so far: a killed pod's object (and the status of the task it held) outlive its process
     * for a moment, and the hang once picked a worker killed 0.2 s before, stopped a dead process and could
     * not let it go on (no hang happened).
     */
    private final Set<String> killedWorkers = ConcurrentHashMap.newKeySet();
    private volatile Hang hung;
    private int workerKills;
    private final List<String> killedLeaders = new ArrayList<>();
    private boolean gatewayTaken;
    private boolean hangDone;
    private boolean rolledOut;
    private String templateBeforeRollout;
    private boolean rolloutDone;

    /**
     * @param gateway the second gateway, which this takes down and brings back on {@code gatewayPort} over
     *     {@code gatewayData}
     */
    ChaosMonkey(KubernetesClient client, Path kubeconfig, String job, int files, LocalS3 gateway, Path gatewayData,
                S3Credentials credentials, Duration hang, long seed) {
        this.client = client;
        this.kubeconfig = kubeconfig;
        this.job = job;
        this.files = files;
        this.gateway = gateway;
        this.gatewayData = gatewayData;
        this.gatewayPort = gateway.port();
        this.credentials = credentials;
        this.hang = hang;
        this.random = new Random(seed);
    }

    void start() {
        loop.scheduleWithFixedDelay(this::tickSafely, 0, 500, TimeUnit.MILLISECONDS);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (Exception e) {
            act("(the API did not answer: " + e + ")");
        }
    }

    private synchronized void tick() throws Exception {
        if (finished) {
            return;
        }
        MigrationJob state = client.resources(MigrationJob.class).inNamespace(NAMESPACE).withName(job).get();
        if (state == null || state.getStatus() == null) {
            return;
        }
        if (state.getStatus().phase != null && state.getStatus().phase.isFinished()) {
            finished = true;
            return;
        }
        long done = state.getStatus().files.done();
        if (done == 0) {
            return; // still planning: chaos starts with the copying
        }
        double fraction = done / (double) files;
        if (Instant.now().isAfter(lastKill.plus(KILL_EVERY))) {
            killRandomWorker();
        }
        if (killedLeaders.isEmpty() && fraction >= 0.10 || killedLeaders.size() == 1 && fraction >= 0.50) {
            killLeader();
        }
        if (!gatewayTaken && fraction >= 0.20) {
            gatewayTaken = true;
            takeGatewayDown();
        }
        if (!hangDone && fraction >= 0.30) {
            hangWorker();
        }
        if (rolledOut && !rolloutDone) {
            List<Pod> workers = workers();
            rolloutDone = !workers.isEmpty() && workers.stream().noneMatch(p -> templateBeforeRollout.equals(templateOf(p)));
            if (rolloutDone) {
                act("rollout done: every worker runs the new pod template");
            }
        }
        // Not while a worker is hung: the rollout would replace it, and the hang (and its stall) would never end.
        if (!rolledOut && fraction >= 0.65 && hungPod == null && !workers().isEmpty()) {
            rolledOut = true;
            templateBeforeRollout = templateOf(workers().get(0));
            String out = Kubectl.run(kubeconfig, "rollout", "restart", "deployment/" + job + "-worker", "-n", NAMESPACE);
            act("kubectl rollout restart: " + out.strip());
        }
    }

    private void killRandomWorker() {
        Instant now = Instant.now();
        Set<String> copying = copying();
        List<Pod> candidates = workers().stream()
                .filter(p -> !p.getMetadata().getName().equals(hungPod))
                .filter(p -> copying.contains(p.getMetadata().getName()))
                .toList();
        if (candidates.isEmpty()) {
            return;
        }
        Pod victim = candidates.get(random.nextInt(candidates.size()));
        if (kill(victim)) {
            killedWorkers.add(victim.getMetadata().getName());
            workerKills++;
            lastKill = now;
            act("kill -9 worker " + victim.getMetadata().getName());
        }
    }

    private void killLeader() {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName("ferry-operator").get();
        String leader = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        if (leader == null || killedLeaders.contains(leader)) {
            return; // the next leader has not taken the Lease yet
        }
        Pod pod = client.pods().inNamespace(NAMESPACE).withName(leader).get();
        if (pod != null && kill(pod)) {
            killedLeaders.add(leader);
            act("kill -9 leading operator " + leader);
        }
    }

    private void takeGatewayDown() throws Exception {
        gateway.close();
        act("gateway :" + gatewayPort + " down");
        loop.schedule(() -> {
            try {
                gateway = LocalS3.start(gatewayPort, gatewayData, credentials);
                act("gateway :" + gatewayPort + " back");
            } catch (Exception e) {
                act("gateway :" + gatewayPort + " could not be started again: " + e);
            }
        }, GATEWAY_DOWN.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void hangWorker() throws IOException, InterruptedException {
        List<String> holding = client.resources(MigrationTask.class).inNamespace(NAMESPACE)
                .withLabel(Ferry.JOB_LABEL, job).list().getItems().stream()
                .filter(t -> t.getStatus() != null && t.getStatus().phase == TaskPhase.Running
                        && t.getStatus().assignment != null && t.getStatus().assignment.worker != null)
                .map(t -> t.getStatus().assignment.worker).toList();
        Optional<Pod> victim = workers().stream().filter(p -> holding.contains(p.getMetadata().getName()))
                .filter(p -> !killedWorkers.contains(p.getMetadata().getName())).findFirst();
        if (victim.isEmpty()) {
            return;
        }
        Pod pod = victim.get();
        hangDone = true;
        hungPod = pod.getMetadata().getName();
        long pid = pid(pod);
        signal("STOP", pid);
        act("SIGSTOP worker " + hungPod + " for " + hang.toSeconds() + " s");
        loop.schedule(() -> {
            try {
                signal("CONT", pid);
                hung = new Hang(pod.getMetadata().getName(), pod.getMetadata().getUid());
                act("SIGCONT worker " + pod.getMetadata().getName());
            } catch (Exception e) {
                // the operator deletes a worker whose Lease stayed expired past its grace (HungWorkerPods), and
                // the kubelet kills its process: still a hang, whose tasks went to others
                hung = new Hang(pod.getMetadata().getName(), pod.getMetadata().getUid());
                act("SIGCONT failed (" + e.getMessage() + "): the hung worker's process is gone");
            } finally {
                hungPod = null;
            }
        }, hang.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The workers that hold a Running task they moved forward since it was handed to them. */
    private Set<String> copying() {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withLabel(Ferry.JOB_LABEL, job).list()
                .getItems().stream()
                .filter(t -> t.getStatus() != null && t.getStatus().phase == TaskPhase.Running
                        && t.getStatus().assignment != null && t.getStatus().assignment.since != null
                        && t.getStatus().progressTime != null
                        && Instant.parse(t.getStatus().progressTime).isAfter(Instant.parse(t.getStatus().assignment.since)))
                .map(t -> t.getStatus().assignment.worker)
                .collect(Collectors.toSet());
    }

    private List<Pod> workers() {
        return client.pods().inNamespace(NAMESPACE).withLabel(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER)
                .withLabel(Ferry.JOB_LABEL, job).list().getItems().stream()
                .filter(p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(Ferry.PID_ANNOTATION))
                .toList();
    }

    private static String templateOf(Pod pod) {
        return pod.getMetadata().getLabels().getOrDefault("pod-template-hash", "");
    }

    private static boolean kill(Pod pod) {
        return ProcessHandle.of(pid(pod)).map(ProcessHandle::destroyForcibly).orElse(false);
    }

    private static long pid(Pod pod) {
        return Long.parseLong(pod.getMetadata().getAnnotations().get(Ferry.PID_ANNOTATION));
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed");
        }
    }

    private void act(String what) {
        Act act = new Act(Duration.between(start, Instant.now()).toMillis() / 1000.0, what);
        acts.add(act);
        System.out.printf("chaos %7.1f s  %s%n", act.at(), what);
    }

    List<Act> acts() {
        synchronized (acts) {
            return List.copyOf(acts);
        }
    }

    synchronized int workerKills() {
        return workerKills;
    }

    synchronized List<String> killedLeaders() {
        return List.copyOf(killedLeaders);
    }

    synchronized boolean gatewayTaken() {
        return gatewayTaken;
    }

    /** Whether {@code kubectl rollout restart} ran and, later, every worker ran the new pod template. */
    synchronized boolean rolledOut() {
        return rolledOut && rolloutDone;
    }

    /** The worker that was hung, once it was let go. */
    Optional<Hang> hung() {
        return Optional.ofNullable(hung);
    }

    /** The gateway as it is now (brought back after its outage). */
    LocalS3 gateway() {
        return gateway;
    }

    /** Stops acting; lets a hung worker go and brings the gateway back if they are still down. */
    @Override
    public void close() throws Exception {
        finished = true;
        loop.shutdown();
        if (!loop.awaitTermination(GATEWAY_DOWN.plus(hang).toSeconds() + 10, TimeUnit.SECONDS)) {
            loop.shutdownNow();
        }
    }
}
