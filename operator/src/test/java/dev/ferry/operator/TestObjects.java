package dev.ferry.operator;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.SourceSpec;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;

/** Objects for unit tests of the pure parts (no API server). */
public final class TestObjects {

    private TestObjects() {
    }

    public static MigrationJob job(String name) {
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withGeneration(1L).withUid("job-uid").build());
        job.setSpec(new MigrationJobSpec());
        job.getSpec().source = new SourceSpec();
        job.getSpec().source.pvc = "data";
        job.getSpec().destination = new DestinationSpec();
        job.getSpec().destination.bucket = "bucket";
        job.getSpec().destination.credentialsSecret = "creds";
        return job;
    }

    public static MigrationTask task(String name, TaskType type, TaskPhase phase) {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withResourceVersion("1").build());
        task.setSpec(new MigrationTaskSpec());
        task.getSpec().type = type;
        task.setStatus(new MigrationTaskStatus());
        task.getStatus().phase = phase;
        task.getStatus().progress = new MigrationTaskStatus.Progress();
        return task;
    }

    public static MigrationTask heldBy(MigrationTask task, Pod pod) {
        task.getStatus().assignment = new MigrationTaskStatus.Assignment();
        task.getStatus().assignment.worker = pod.getMetadata().getName();
        task.getStatus().assignment.podUid = pod.getMetadata().getUid();
        task.getStatus().assignment.epoch = 1L;
        return task;
    }

    public static Pod pod(String name, boolean ready, Instant since) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withUid(name + "-uid").withCreationTimestamp(since.toString()).endMetadata()
                .withNewStatus().withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                    .withLastTransitionTime(since.toString()).endCondition()
                .endStatus()
                .build();
    }

    /** A finished plan's status: it found {@code files} ({@code bytes}) and created {@code tasks} Copy tasks. */
    public static MigrationTaskStatus planned(MigrationTaskStatus status, long files, long bytes, int tasks) {
        status.phase = TaskPhase.Succeeded;
        status.progress = new MigrationTaskStatus.Progress();
        status.progress.total = files;
        status.progress.totalBytes = bytes;
        status.progress.tasksCreated = tasks;
        return status;
    }

    /** A finished Copy task's status: {@code copied} and {@code skipped} files, {@code bytes} copied. */
    public static MigrationTaskStatus succeeded(MigrationTaskStatus status, long copied, long skipped, long bytes) {
        status.phase = TaskPhase.Succeeded;
        status.progress = new MigrationTaskStatus.Progress();
        status.progress.copied = copied;
        status.progress.skipped = skipped;
        status.progress.files = copied + skipped;
        status.progress.bytes = bytes;
        return status;
    }
}
