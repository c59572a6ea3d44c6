package dev.ferry.e2e.bench;

import dev.ferry.api.CrdResources;
import dev.ferry.api.DestinationSpec;
import dev.ferry.api.Ferry;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.SourceSpec;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.WorkersSpec;
import dev.ferry.api.runtime.JvmDefaults;
import dev.ferry.local.apiserver.LocalKubernetesApi;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Control-plane scale benchmark (a harness, not a timed test): the local Kubernetes API in this JVM, the
 * real operator in a JVM of its own with a fixed heap, and simulated workers (Ready pods with renewed
 * Leases that acknowledge what they are handed with fenced writes). Prints these figures:
 * <ol>
 *   <li>assignment throughput: {@code workers} workers start and one of them runs the root plan, which
 *       creates {@code tasks} Copy tasks with the room a planning worker leaves ({@link PacedPlan}); tasks
 *       per second until the workers have finished them all (each hand-out is one Assigned write by the
 *       operator, two writes by the worker; prefetch limits what a worker holds);</li>
 *   <li>the window: the most task objects the job had at once (the goal: maxActive + historyLimit, plus the
 *       plan and the audit), their mean while the tasks ran (what each reconcile looked at: with
 *       {@code --tasks} twice {@code --max-active} the plan keeps the window full for most of the run), and how
 *       long after the job Succeeded folding reached historyLimit;</li>
 *   <li>the operator's heap: peak occupancy and largest live set after a collection, from its GC log;</li>
 *   <li>reassignment: a worker that holds {@code reassign} tasks and stops acknowledging is deleted; the
 *       time until all its tasks are taken back (Pending with a new epoch, or already handed to another
 *       worker), and until other workers have finished them.</li>
 * </ol>
 * Usage: {@code ControlPlaneScaleBenchmark [--tasks=10000] [--workers=20] [--reassign=1000] [--heap=256m]
 * [--files-per-task=5] [--max-active=200] [--timeout-seconds=600] [--work-dir=DIR]}; {@code --max-active}
 * is the job's {@code spec.tasks.maxActive}: how many tasks are live at once (issue 15's measure of assignment
 * with 10,000 live tasks: {@code --max-active=10000 --tasks=20000}). Exits non-zero when a goal is missed or the operator died.
 */
public final class ControlPlaneScaleBenchmark {
    static final String NAMESPACE = "default";
    static final String SECRET = "s3-credentials";

    record Options(int tasks, int workers, int reassign, String heap, int filesPerTask, Path workDir,
            Duration timeout, int maxActive) {
        static Options parse(String[] args) throws Exception {
            Map<String, String> values = new java.util.HashMap<>(Map.of("tasks", "10000", "workers", "20",
                    "reassign", "1000", "heap", "256m", "files-per-task", "5", "timeout-seconds", "600",
                    "max-active", "" + TasksSpec.DEFAULT_MAX_ACTIVE));
            for (String arg : args) {
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new IllegalArgumentException("expected --name=value, got " + arg);
                }
                values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            Path dir = values.containsKey("work-dir") ? Path.of(values.get("work-dir"))
                    : Files.createTempDirectory("ferry-scale-bench");
            Files.createDirectories(dir);
            return new Options(Integer.parseInt(values.get("tasks")), Integer.parseInt(values.get("workers")),
                    Integer.parseInt(values.get("reassign")), values.get("heap"),
                    Integer.parseInt(values.get("files-per-task")), dir,
                    Duration.ofSeconds(Long.parseLong(values.get("timeout-seconds"))),
                    Integer.parseInt(values.get("max-active")));
        }
    }

    /** What one run measured. */
    record Result(int tasks, int workers, double assignSeconds, double jobSucceededSeconds, long taskObjectsAtSucceeded,
            double windowSeconds, long mostTaskObjects, FullWindow fullWindow,
            int reassigned, double takeBackSeconds, double rerunSeconds, OperatorProcess.HeapUse heap,
            double operatorCpuSeconds, double harnessCpuSeconds, OperatorProcess.Reconciles reconciles) {
        double tasksPerSecond() {
            return tasks / assignSeconds;
        }
    }

    private ControlPlaneScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // As the CLI that hosts the local API does: on 2 CPUs the harness's clients would otherwise start
        // a thread per response (36,800 in one run), CPU taken from the operator being measured.
        JvmDefaults.apply();
        Options options = Options.parse(args);
        Result result = run(options);
        System.out.println(report(result, options));
        boolean ok = result.heap().maxLiveMiB() <= 256 && result.takeBackSeconds() <= 10
                && result.mostTaskObjects() <= windowGoal(options);
        System.exit(ok ? 0 : 1);
    }

    static String report(Result r, Options o) {
        return String.format(Locale.ROOT, """
                Ferry control-plane scale benchmark (local API, operator JVM -Xmx%s, simulated workers)
                  assignment:   %d tasks to %d workers in %.1f s = %.0f tasks/s (job Succeeded after %.1f s)
                  history:      at most %d task objects at once (goal <= %d: maxActive %d + historyLimit %d + plan + audit),
                                %.0f on average while the tasks ran; %.1f s with >= %d of them: %.0f tasks/s then;
                                %d when the job Succeeded, folded to the window of %d in %.1f s more
                  heap:         peak %.0f MiB used, largest live set %.0f MiB after GC, %.0f MiB committed (goal <= 256 MiB)
                  reassignment: %d tasks (and its plan) of a deleted worker taken back in %.1f s (goal <= 10 s); re-run by others in %.1f s
                  reconciles:   %d of the job while its tasks ran (%.0f/s), %.1f ms each on average
                  cpu:          operator %.0f s, API server and simulated workers %.0f s (this machine: %d cores)
                  work dir:     %s (operator.log, operator-gc.log)""",
                o.heap(), r.tasks(), r.workers(), r.assignSeconds(), r.tasksPerSecond(), r.jobSucceededSeconds(),
                r.mostTaskObjects(), windowGoal(o), o.maxActive(), TasksSpec.DEFAULT_HISTORY_LIMIT,
                r.fullWindow().meanTaskObjects(), r.fullWindow().seconds(), o.maxActive() * 9 / 10,
                r.fullWindow().tasksPerSecond(),
                r.taskObjectsAtSucceeded(), TasksSpec.DEFAULT_HISTORY_LIMIT, r.windowSeconds(),
                r.heap().peakMiB(), r.heap().maxLiveMiB(), r.heap().committedMiB(),
                r.reassigned(), r.takeBackSeconds(), r.rerunSeconds(),
                r.reconciles().count(), r.reconciles().count() / r.assignSeconds(), r.reconciles().meanMillis(),
                r.operatorCpuSeconds(), r.harnessCpuSeconds(),
                Runtime.getRuntime().availableProcessors(), o.workDir());
    }

    /** The job's task objects at any moment: its Copy tasks' window, its root plan and its audit. */
    static long windowGoal(Options o) {
        return o.maxActive() + TasksSpec.DEFAULT_HISTORY_LIMIT + 2;
    }

    static Result run(Options o) throws Exception {
        try (LocalKubernetesApi api = LocalKubernetesApi.start(0)) {
            KubernetesClient client = api.client();
            installCrds(client);
            client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder()
                    .withNewMetadata().withName(SECRET).withNamespace(NAMESPACE).endMetadata()
                    .addToStringData(Ferry.SECRET_ACCESS_KEY_ID, "bench").addToStringData(Ferry.SECRET_SECRET_ACCESS_KEY, "bench")
                    .build()).create();
            // The operator refuses a job whose source claim does not exist; the simulated workers mount nothing.
            client.persistentVolumeClaims().inNamespace(NAMESPACE).resource(new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName("data").withNamespace(NAMESPACE).endMetadata().build()).create();
            Path kubeconfig = api.writeKubeconfig(o.workDir().resolve("kubeconfig"));
            try (OperatorProcess operator = OperatorProcess.start(kubeconfig, o.heap(), o.workDir(),
                    Map.of("FERRY_WATCH_NAMESPACES", NAMESPACE))) {
                log("operator started as process " + operator.pid() + "; log " + operator.log());
                Phase1 scale = assignmentPhase(client, operator, o);
                Phase2 reassign = reassignmentPhase(client, operator, o);
                operator.assertAlive();
                return new Result(o.tasks(), o.workers(), scale.assignSeconds, scale.jobSeconds, scale.objectsAtSucceeded,
                        scale.windowSeconds, scale.mostTaskObjects, scale.fullWindow,
                        o.reassign(), reassign.takeBackSeconds, reassign.rerunSeconds, operator.heapUse(),
                        operator.cpuSeconds(), ProcessHandle.current().info().totalCpuDuration()
                                .map(d -> d.toMillis() / 1000.0).orElse(Double.NaN), scale.reconciles);
            }
        }
    }

    private record Phase1(double assignSeconds, double jobSeconds, long objectsAtSucceeded, double windowSeconds,
            long mostTaskObjects, FullWindow fullWindow, OperatorProcess.Reconciles reconciles) {
    }

    /**
     * What the reconciles looked at while the tasks ran: the mean of the task objects sampled, and the time
     * and hand-out rate while at least nine tenths of maxActive were there.
     */
    record FullWindow(double meanTaskObjects, double seconds, double tasksPerSecond) {
    }

    private static long taskObjects(KubernetesClient client, String job) {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withLabel(Ferry.JOB_LABEL, job)
                .list().getItems().size();
    }

    /** The job's task objects that folding keeps to historyLimit: all but its audit, which is its result. */
    private static long foldableTaskObjects(KubernetesClient client, String job) {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withLabel(Ferry.JOB_LABEL, job)
                .list().getItems().stream().filter(t -> t.getSpec().type != TaskType.Audit).count();
    }

    private record Phase2(double takeBackSeconds, double rerunSeconds) {
    }

    /** The workers, one of them running the plan that creates the tasks: from their start until every task is Succeeded. */
    private static Phase1 assignmentPhase(KubernetesClient client, OperatorProcess operator, Options o) throws Exception {
        String job = "scale";
        MigrationJob created = createJob(client, job, o.workers(), o.maxActive());
        awaitTask(client, operator, job + "-plan", o.timeout());
        log("starting " + o.workers() + " workers; the plan creates " + o.tasks() + " tasks as there is room");
        try (SimulatedWorkers workers = new SimulatedWorkers(client, NAMESPACE, job, o.tasks(), o.filesPerTask())) {
            workers.pacePlanning(new PacedPlan(client, created, o.tasks(), o.filesPerTask(), o.maxActive(),
                    TasksSpec.DEFAULT_HISTORY_LIMIT));
            OperatorProcess.Reconciles before = operator.reconciles();
            // Nine tenths of maxActive: the window's edge moves by a batch of creates and a pass of folding.
            workers.countFullWindowFrom(o.maxActive() * 9L / 10);
            SimulatedWorkers.TaskObjectSamples samplesBefore = workers.taskObjectSamples();
            long start = System.nanoTime();
            for (int i = 1; i <= o.workers(); i++) {
                workers.startPod(job + "-worker-" + i, true);
            }
            awaitTrue("all " + o.tasks() + " tasks Succeeded", operator, o.timeout(), () -> workers.succeeded() >= o.tasks());
            double assign = seconds(start);
            OperatorProcess.Reconciles reconciles = operator.reconciles().since(before);
            SimulatedWorkers.TaskObjectSamples samples = workers.taskObjectSamples();
            FullWindow fullWindow = new FullWindow(samples.meanSince(samplesBefore),
                    samples.fullWindowSecondsSince(samplesBefore), samples.fullWindowRateSince(samplesBefore));
            log("all tasks Succeeded after " + String.format(Locale.ROOT, "%.1f", assign) + " s");
            awaitTrue("the job Succeeded", operator, o.timeout(), () -> phase(client, job) == JobPhase.Succeeded);
            double jobDone = seconds(start);
            MigrationJobStatus status = client.resources(MigrationJob.class).inNamespace(NAMESPACE).withName(job).get().getStatus();
            long expectedFiles = (long) o.tasks() * o.filesPerTask();
            if (status.files.total != expectedFiles || status.files.copied != expectedFiles
                    || status.tasks.succeeded != o.tasks() + 1) {
                throw new IllegalStateException("job counters are off: total " + status.files.total + ", copied "
                        + status.files.copied + ", tasks Succeeded " + status.tasks.succeeded + "; expected " + expectedFiles
                        + " files and " + (o.tasks() + 1) + " tasks");
            }
            long atSucceeded = taskObjects(client, job);
            // Folding goes on after the job finished, down to the history window (historyLimit 100).
            awaitTrue("the task window", operator, o.timeout(),
                    () -> foldableTaskObjects(client, job) <= TasksSpec.DEFAULT_HISTORY_LIMIT);
            return new Phase1(assign, jobDone, atSucceeded, seconds(start) - jobDone, workers.mostTaskObjects(),
                    fullWindow, reconciles);
        }
    }

    /**
     * A worker holds {@code reassign} tasks (handed to it as the operator would: its pod UID, epoch + 1) and
     * acknowledges none; live workers stand by idle. Its pod is deleted and the clock runs.
     */
    private static Phase2 reassignmentPhase(KubernetesClient client, OperatorProcess operator, Options o) throws Exception {
        String job = "reassign";
        MigrationJob created = createJob(client, job, o.workers() + 1, TasksSpec.DEFAULT_MAX_ACTIVE);
        awaitTask(client, operator, job + "-plan", o.timeout());
        try (SimulatedWorkers workers = new SimulatedWorkers(client, NAMESPACE, job, o.reassign(), o.filesPerTask())) {
            // The stuck worker is the only one at first: the operator hands it the plan, the harness the rest.
            String stuck = job + "-worker-stuck";
            String stuckUid = workers.startPod(stuck, false);
            awaitTrue("the plan handed to " + stuck, operator, o.timeout(),
                    () -> taskPhase(client, job + "-plan") == TaskPhase.Assigned);
            createCopyTasks(client, created, o.reassign(), o.filesPerTask());
            handAll(client, job, o.reassign(), stuck, stuckUid);
            for (int i = 1; i <= o.workers(); i++) {
                workers.startPod(job + "-worker-" + i, true);
            }
            Thread.sleep(2000); // the operator sees the standby workers; they get nothing: the tasks are held
            log(o.reassign() + " tasks held by " + stuck + "; deleting its pod");
            long start = System.nanoTime();
            workers.deletePod(stuck);
            awaitTrue("all tasks taken back from " + stuck, operator, o.timeout(),
                    () -> heldBy(workers, stuckUid) == 0);
            double takeBack = seconds(start);
            awaitTrue("all tasks re-run by other workers", operator, o.timeout(), () -> workers.succeeded() >= o.reassign());
            double rerun = seconds(start);
            awaitTrue("the job Succeeded (its counts add up)", operator, o.timeout(),
                    () -> phase(client, job) == JobPhase.Succeeded);
            return new Phase2(takeBack, rerun);
        }
    }

    /**
     * Tasks of the job whose last hand-out went to the pod and that it still holds (no take-back yet), as
     * the workers' informer sees them: polling the API itself would load it during the measurement.
     */
    private static long heldBy(SimulatedWorkers workers, String podUid) {
        return java.util.stream.StreamSupport.stream(workers.cachedTasks().spliterator(), false)
                .filter(t -> t.getStatus() != null && t.getStatus().assignment != null)
                .filter(t -> Objects.equals(t.getStatus().assignment.podUid, podUid) && t.getStatus().phase.isHeld())
                .count();
    }

    /** Writes each Copy task Assigned to the pod, as the operator's hand-out does (epoch + 1, locked). */
    private static void handAll(KubernetesClient client, String job, int count, String pod, String uid) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int n = 1; n <= count; n++) {
                String name = taskName(job, n);
                writes.add(pool.submit(() -> {
                    for (int attempt = 0; attempt < 20; attempt++) {
                        MigrationTask task = client.resources(MigrationTask.class).inNamespace(NAMESPACE).withName(name).get();
                        MigrationTaskStatus status = task.getStatus() == null ? new MigrationTaskStatus() : task.getStatus();
                        if (status.phase != null && status.phase.isHeld() && status.assignment != null
                                && uid.equals(status.assignment.podUid)) {
                            return null; // the operator handed it to the same worker already
                        }
                        MigrationTask copy = Serialization.clone(task);
                        MigrationTaskStatus assigned = copy.getStatus() == null ? new MigrationTaskStatus() : copy.getStatus();
                        assigned.phase = TaskPhase.Assigned;
                        assigned.attempts = assigned.attemptsOrZero();
                        assigned.assignment = new MigrationTaskStatus.Assignment();
                        assigned.assignment.worker = pod;
                        assigned.assignment.podUid = uid;
                        assigned.assignment.epoch = status.epochOrZero() + 1;
                        assigned.assignment.since = java.time.Instant.now().toString();
                        copy.setStatus(assigned);
                        try {
                            client.resources(MigrationTask.class).inNamespace(NAMESPACE).resource(copy)
                                    .lockResourceVersion(task.getMetadata().getResourceVersion()).updateStatus();
                            return null;
                        } catch (KubernetesClientException e) {
                            if (e.getCode() != 409) {
                                throw e;
                            }
                        }
                    }
                    throw new IllegalStateException("could not hand " + name + " to " + pod);
                }));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static MigrationJob createJob(KubernetesClient client, String name, int replicas, int maxActive) {
        MigrationJobSpec spec = new MigrationJobSpec();
        spec.source = new SourceSpec();
        spec.source.pvc = "data";
        spec.destination = new DestinationSpec();
        spec.destination.bucket = "bench";
        spec.destination.credentialsSecret = SECRET;
        spec.workers = new WorkersSpec();
        spec.workers.replicas = replicas;
        spec.tasks = new TasksSpec();
        spec.tasks.maxActive = maxActive;
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        job.setSpec(spec);
        return client.resources(MigrationJob.class).inNamespace(NAMESPACE).resource(job).create();
    }

    /** The root plan's Copy tasks, all at once, four at a time (a plan that held them all: the reassignment phase). */
    private static void createCopyTasks(KubernetesClient client, MigrationJob job, int count, int filesPerTask)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> creates = new ArrayList<>();
            for (int n = 1; n <= count; n++) {
                MigrationTask task = PacedPlan.copyTask(job, n, filesPerTask);
                creates.add(pool.submit(() -> client.resources(MigrationTask.class).inNamespace(NAMESPACE).resource(task).create()));
            }
            for (Future<?> create : creates) {
                create.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static String taskName(String job, int n) {
        return job + "-plan-" + String.format(Locale.ROOT, "%05d", n);
    }

    private static void installCrds(KubernetesClient client) {
        for (String file : CrdResources.FILES) {
            client.apiextensions().v1().customResourceDefinitions()
                    .resource(Serialization.unmarshal(CrdResources.read(file), CustomResourceDefinition.class)).create();
        }
    }

    private static void awaitTask(KubernetesClient client, OperatorProcess operator, String name, Duration timeout)
            throws InterruptedException {
        awaitTrue("task " + name, operator, timeout,
                () -> client.resources(MigrationTask.class).inNamespace(NAMESPACE).withName(name).get() != null);
    }

    private static JobPhase phase(KubernetesClient client, String job) {
        MigrationJob read = client.resources(MigrationJob.class).inNamespace(NAMESPACE).withName(job).get();
        return read == null || read.getStatus() == null ? null : read.getStatus().phase;
    }

    private static TaskPhase taskPhase(KubernetesClient client, String name) {
        MigrationTask task = client.resources(MigrationTask.class).inNamespace(NAMESPACE).withName(name).get();
        return task == null || task.getStatus() == null ? null : task.getStatus().phase;
    }

    private static void awaitTrue(String what, OperatorProcess operator, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            operator.assertAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void log(String message) {
        System.out.println("[bench] " + message);
    }
}
