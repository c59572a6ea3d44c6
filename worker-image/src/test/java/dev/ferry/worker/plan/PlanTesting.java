package dev.ferry.worker.plan;

import static dev.ferry.worker.testing.TestResources.NAMESPACE;

import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.worker.manifest.TaskFiles;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.TaskFence;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Plays the operator and the worker around a {@link PlanRunner}: hands a plan to a pod (a new epoch),
 * runs it, and reads back what the plans created.
 */
final class PlanTesting {
    final KubernetesClient client;
    final MigrationJob job;
    final EndpointPool store;

    PlanTesting(KubernetesClient client, MigrationJob job, EndpointPool store) {
        this.client = client;
        this.job = job;
        this.store = store;
    }

    PlanRunner runner(Path source, ActiveTasks active, PlanRunner.Settings settings) {
        return new PlanRunner(client, source, active, j -> store, Clock.systemUTC(), settings);
    }

    /** Hands {@code plan} to {@code podUid} under a new epoch and runs it on {@code runner}. */
    void handOutAndRun(PlanRunner runner, String plan, String podUid, StopSignal stop) throws LostTaskException {
        TestResources.assign(client, plan, podUid);
        TaskFence fence = TaskFence.claim(client, NAMESPACE, plan, podUid, Clock.systemUTC()).orElseThrow();
        runner.run(job, fence.read(), fence, stop);
    }

    /** Runs every unfinished Plan task of the job (children appear as they are created) until none is left. */
    void runAllPlans(PlanRunner runner, String podUid) throws LostTaskException {
        for (int round = 0; round < 100; round++) {
            List<MigrationTask> open = tasks(TaskType.Plan).stream()
                    .filter(t -> t.getStatus() == null || t.getStatus().phase == null || !t.getStatus().phase.isFinished())
                    .toList();
            if (open.isEmpty()) {
                return;
            }
            for (MigrationTask plan : open) {
                handOutAndRun(runner, plan.getMetadata().getName(), podUid, StopSignal.NEVER);
            }
        }
        throw new AssertionError("plans still unfinished after 100 rounds");
    }

    String rootPlan() {
        return TestResources.createPlanTask(client, job, "").getMetadata().getName();
    }

    List<MigrationTask> tasks(TaskType type) {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE)
                .withLabel(Ferry.JOB_LABEL, job.getMetadata().getName()).list().getItems().stream()
                .filter(t -> t.getSpec().type == type)
                .sorted(Comparator.comparing(t -> t.getMetadata().getName()))
                .toList();
    }

    /** The files of a Copy task (inline or from its manifest). */
    List<FileEntry> files(MigrationTask copy) {
        return TaskFiles.of(job, copy, store);
    }

    /**
     * Every file the job's tasks cover, once per appearance: a Copy task's files, and a Parts file once
     * per series (its task with the first part).
     */
    List<String> coveredPaths() {
        List<String> covered = new ArrayList<>();
        tasks(TaskType.Copy).forEach(t -> files(t).forEach(f -> covered.add(f.path)));
        tasks(TaskType.Parts).stream().filter(t -> t.getSpec().parts.firstPart == 1)
                .forEach(t -> covered.add(t.getSpec().parts.file.path));
        return covered.stream().sorted(PathOrder.COMPARATOR).toList();
    }

    long plannedFiles() {
        return tasks(TaskType.Plan).stream().mapToLong(t -> t.getStatus().progress.total).sum();
    }

    long plannedBytes() {
        return tasks(TaskType.Plan).stream().mapToLong(t -> t.getStatus().progress.totalBytes).sum();
    }

    boolean allPlansSucceeded() {
        return tasks(TaskType.Plan).stream().allMatch(t -> t.getStatus().phase == TaskPhase.Succeeded);
    }

    /**
     * A tree with every kind of planning unit, for a job with maxFiles 60, splitDirectoryEntries 40,
     * splitFileSize 8Mi and partSize 5Mi:
     * <pre>
     * a.txt                  root Copy task (cut before big/ is handed off)
     * big/f00..f44           45 entries: a child plan
     * c.txt                  root Copy task (cut before the huge file)
     * huge.bin               11 MiB, sparse: 3 Parts tasks of one 5 MiB part each
     * m0/..m9/ 13 files each 130 files: root Copy tasks of 60, 60 (manifests) and 10
     * nest/deep/d00..d40     41 entries: a child plan of a directory two levels down
     * nest/x.txt, nest/y/1.txt, nest/y/2.txt, z.txt
     * </pre>
     */
    static void mixedTree(Path source) {
        Trees.write(source, "a.txt", "a".getBytes());
        for (int i = 0; i < 45; i++) {
            Trees.write(source, String.format(Locale.ROOT, "big/f%02d.dat", i), ("big " + i).getBytes());
        }
        Trees.write(source, "c.txt", "cc".getBytes());
        try (RandomAccessFile huge = new RandomAccessFile(source.resolve("huge.bin").toFile(), "rw")) {
            huge.setLength(11 * (1L << 20) + 7);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int d = 0; d < 10; d++) {
            for (int i = 0; i < 13; i++) {
                Trees.write(source, String.format(Locale.ROOT, "m%d/f%02d.dat", d, i), ("m" + d + i).getBytes());
            }
        }
        for (int i = 0; i < 41; i++) {
            Trees.write(source, String.format(Locale.ROOT, "nest/deep/d%02d.dat", i), ("deep " + i).getBytes());
        }
        Trees.write(source, "nest/x.txt", "x".getBytes());
        Trees.write(source, "nest/y/1.txt", "1".getBytes());
        Trees.write(source, "nest/y/2.txt", "2".getBytes());
        Trees.write(source, "z.txt", "z".getBytes());
    }

    static MigrationJob mixedTreeJob(String name, java.net.URI endpoint, String bucket) {
        MigrationJob job = TestResources.job(name, endpoint, bucket, name);
        job.getSpec().tasks.maxFiles = 60;
        job.getSpec().tasks.splitDirectoryEntries = 40;
        job.getSpec().tasks.splitFileSize = "8Mi";
        job.getSpec().workers.partSize = "5Mi";
        return job;
    }

    /** The regular files under {@code source}, as planning should find them. */
    static List<String> regularFiles(Path source) {
        try (Stream<Path> walk = Files.walk(source)) {
            return walk.filter(Files::isRegularFile).map(p -> source.relativize(p).toString())
                    .sorted(PathOrder.COMPARATOR).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long bytesOf(Path source) {
        try (Stream<Path> walk = Files.walk(source)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
