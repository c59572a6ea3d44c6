package dev.ferry.worker.testing;

import dev.ferry.api.CrdResources;
import dev.ferry.api.DestinationSpec;
import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.PlanScope;
import dev.ferry.api.SourceSpec;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.TasksSpec;
import dev.ferry.api.WorkersSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builds the Kubernetes objects a worker meets, and plays the operator's part on task status. */
public final class TestResources {
    public static final String NAMESPACE = "test";
    public static final String SECRET = "s3-credentials";
    public static final String POD_UID = "0b7c7e52-1111-4a3a-9d57-workerpod01";
    public static final String POD_NAME = "job-worker-abc12";

    private TestResources() {
    }

    public static void installCrds(KubernetesClient client) {
        for (String file : CrdResources.FILES) {
            client.apiextensions().v1().customResourceDefinitions()
                    .load(new ByteArrayInputStream(CrdResources.read(file).getBytes(StandardCharsets.UTF_8)))
                    .createOr(existing -> existing.update());
        }
    }

    public static MigrationJob job(String name, URI endpoint, String bucket, String prefix) {
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        MigrationJobSpec spec = new MigrationJobSpec();
        spec.source = new SourceSpec();
        spec.source.pvc = "data";
        spec.source.path = "/";
        spec.destination = new DestinationSpec();
        spec.destination.bucket = bucket;
        spec.destination.prefix = prefix;
        spec.destination.endpoints = endpoint == null ? null : List.of(endpoint.toString());
        spec.destination.credentialsSecret = SECRET;
        spec.tasks = new TasksSpec();
        spec.workers = new WorkersSpec();
        job.setSpec(spec);
        job.setStatus(null);
        return job;
    }

    public static MigrationJob create(KubernetesClient client, MigrationJob job) {
        return client.resources(MigrationJob.class).inNamespace(NAMESPACE).resource(job).create();
    }

    public static void createCredentials(KubernetesClient client) {
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder()
                .withNewMetadata().withName(SECRET).withNamespace(NAMESPACE).endMetadata()
                .withStringData(Map.of(Ferry.SECRET_ACCESS_KEY_ID, S3ProxyServer.ACCESS_KEY,
                        Ferry.SECRET_SECRET_ACCESS_KEY, S3ProxyServer.SECRET_KEY))
                .build()).create();
    }

    public static MigrationTask createCopyTask(KubernetesClient client, MigrationJob job, String name,
                                               List<FileEntry> files) {
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = TaskType.Copy;
        spec.files = files;
        spec.fileCount = files.size();
        spec.byteCount = files.stream().mapToLong(FileEntry::sizeOrZero).sum();
        return createTask(client, job, name, spec);
    }

    /** A Copy task whose list is the manifest {@code manifest} (written beforehand). */
    public static MigrationTask createCopyTask(KubernetesClient client, MigrationJob job, String name,
                                               dev.ferry.api.ManifestRef manifest) {
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = TaskType.Copy;
        spec.manifest = manifest;
        spec.fileCount = manifest.files;
        spec.byteCount = manifest.bytes;
        return createTask(client, job, name, spec);
    }

    public static MigrationTask createPlanTask(KubernetesClient client, MigrationJob job, String directory) {
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = TaskType.Plan;
        spec.plan = new PlanScope(directory);
        return createTask(client, job, job.getMetadata().getName() + "-plan", spec);
    }

    /** The job's Audit task, as the operator creates it once every other task has finished. */
    public static MigrationTask createAuditTask(KubernetesClient client, MigrationJob job) {
        MigrationTaskSpec spec = new MigrationTaskSpec();
        spec.jobName = job.getMetadata().getName();
        spec.type = TaskType.Audit;
        return createTask(client, job, job.getMetadata().getName() + "-audit", spec);
    }

    public static MigrationTask createTask(KubernetesClient client, MigrationJob job, String name,
                                            MigrationTaskSpec spec) {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE)
                .withLabels(Map.of(Ferry.JOB_LABEL, job.getMetadata().getName(),
                        Ferry.TASK_TYPE_LABEL, spec.type.name()))
                .build());
        task.setSpec(spec);
        task.setStatus(null);
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).resource(task).create();
    }

    /** What the operator does on a hand-out: Assigned to the pod, epoch + 1. */
    public static MigrationTask assign(KubernetesClient client, String taskName, String podUid) {
        return updateStatus(client, taskName, s -> {
            MigrationTaskStatus.Assignment a = new MigrationTaskStatus.Assignment();
            a.worker = POD_NAME;
            a.podUid = podUid;
            a.epoch = s.epochOrZero() + 1;
            a.since = Instant.now().toString();
            s.assignment = a;
            s.phase = TaskPhase.Assigned;
        });
    }

    public static MigrationTask updateStatus(KubernetesClient client, String taskName,
                                             java.util.function.Consumer<MigrationTaskStatus> change) {
        MigrationTask task = task(client, taskName);
        if (task.getStatus() == null) {
            task.setStatus(new MigrationTaskStatus());
        }
        change.accept(task.getStatus());
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).resource(task).updateStatus();
    }

    public static MigrationTask task(KubernetesClient client, String name) {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withName(name).get();
    }
}
