package dev.ferry.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AuditMode;
import dev.ferry.api.AuditResult;
import dev.ferry.api.DestinationSpec;
import dev.ferry.api.Ferry;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.SourceSpec;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.WorkersSpec;
import dev.ferry.operator.state.Owners;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The test's side of the cluster: CRDs, Secrets, jobs, and the parts the test plays itself — the
 * kubelet (worker pods and their readiness) and the workers (Lease renewals, and task status writes
 * fenced like a worker's: a resourceVersion-locked update of the task as last read).
 */
final class Cluster {
    static final String NAMESPACE = "ferry-test";
    static final String SECRET = "s3-credentials";
    static final String SOURCE_CLAIM = "data";

    private final KubernetesClient client;
    private SharedIndexInformer<MigrationTask> auditWorker;

    Cluster(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Plays the worker that runs a job's Audit task: as soon as one exists (whether or not a worker pod of
     * the test is alive to be handed it), it ends Succeeded with an audit that found everything (checked =
     * the files the job counted). These tests are about the
     * operator; the audit itself runs against a real store in the worker's and the end-to-end tests.
     */
    void runAuditsThatPass() {
        auditWorker = client.resources(MigrationTask.class).inNamespace(NAMESPACE)
                .withLabel(Ferry.TASK_TYPE_LABEL, TaskType.Audit.name())
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(MigrationTask task) {
                        pass(task);
                    }

                    @Override
                    public void onUpdate(MigrationTask before, MigrationTask task) {
                        pass(task);
                    }

                    @Override
                    public void onDelete(MigrationTask task, boolean unknown) {
                    }
                });
    }

    void stopAudits() {
        if (auditWorker != null) {
            auditWorker.close();
        }
    }

    private void pass(MigrationTask task) {
        if (task.getStatus() != null && task.getStatus().phase != null && task.getStatus().phase.isFinished()) {
            return;
        }
        MigrationJob job = job(task.getSpec().jobName);
        try {
            writeAsWorker(task.getMetadata().getName(), status -> {
                AuditResult result = new AuditResult();
                result.mode = AuditMode.Plan;
                result.checked = job == null || job.getStatus() == null ? 0 : job.getStatus().files.total;
                result.startTime = Instant.now().toString();
                result.completionTime = result.startTime;
                status.audit = result;
                status.phase = TaskPhase.Succeeded;
                status.message = "checked " + result.checked + " planned files";
                return status;
            });
        } catch (RuntimeException e) {
            // lost a race with another write: the next update event tries again
        }
    }

    void installCrds() {
        for (String file : List.of("migrationjobs.ferry.dev-v1.yml", "migrationtasks.ferry.dev-v1.yml")) {
            try (InputStream in = Cluster.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
                assertThat(in).as("generated CRD %s on the classpath", file).isNotNull();
                client.apiextensions().v1().customResourceDefinitions()
                        .resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What a job needs before it runs: its source claim (the validator checks it exists) and its Secret. */
    void createClaimAndSecret() {
        client.persistentVolumeClaims().inNamespace(NAMESPACE).resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(SOURCE_CLAIM).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec().withAccessModes("ReadOnlyMany").endSpec()
                .build()).create();
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder()
                .withNewMetadata().withName(SECRET).withNamespace(NAMESPACE).endMetadata()
                .addToStringData(Ferry.SECRET_ACCESS_KEY_ID, "test-key")
                .addToStringData(Ferry.SECRET_SECRET_ACCESS_KEY, "test-secret")
                .build()).create();
    }

    MigrationJob createJob(String name, Consumer<MigrationJobSpec> customize) {
        MigrationJobSpec spec = new MigrationJobSpec();
        spec.source = new SourceSpec();
        spec.source.pvc = SOURCE_CLAIM;
        spec.destination = new DestinationSpec();
        spec.destination.bucket = "archive";
        spec.destination.credentialsSecret = SECRET;
        spec.workers = new WorkersSpec();
        spec.workers.replicas = 2;
        customize.accept(spec);
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        job.setSpec(spec);
        return client.resources(MigrationJob.class).inNamespace(NAMESPACE).resource(job).create();
    }

    MigrationJob job(String name) {
        return client.resources(MigrationJob.class).inNamespace(NAMESPACE).withName(name).get();
    }

    Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NAMESPACE).withName(name).get();
    }

    List<MigrationTask> tasks(String job) {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withLabel(Ferry.JOB_LABEL, job)
                .list().getItems().stream().sorted(Comparator.comparing(t -> t.getMetadata().getName())).toList();
    }

    /** The job's tasks but its Audit task, which is never folded away (the job's result reads it). */
    List<MigrationTask> workTasks(String job) {
        return tasks(job).stream().filter(t -> t.getSpec().type != TaskType.Audit).toList();
    }

    MigrationTask task(String name) {
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).withName(name).get();
    }

    List<Event> events(String involvedName) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> involvedName.equals(e.getInvolvedObject().getName())).toList();
    }

    /** A Copy task as a planning worker creates it: labels, owner, inline files. */
    MigrationTask createCopyTask(MigrationJob job, String name, FileEntry... files) {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE)
                .addToLabels(Ferry.JOB_LABEL, job.getMetadata().getName())
                .addToLabels(Ferry.TASK_TYPE_LABEL, TaskType.Copy.name())
                .withOwnerReferences(Owners.controlledBy(job))
                .build());
        task.setSpec(new MigrationTaskSpec());
        task.getSpec().jobName = job.getMetadata().getName();
        task.getSpec().type = TaskType.Copy;
        task.getSpec().files = List.of(files);
        task.getSpec().fileCount = files.length;
        task.getSpec().byteCount = List.of(files).stream().mapToLong(FileEntry::sizeOrZero).sum();
        return client.resources(MigrationTask.class).inNamespace(NAMESPACE).resource(task).create();
    }

    /** Plays the worker: re-reads the task and writes its status with the read resourceVersion, retrying on 409. */
    MigrationTask writeAsWorker(String taskName, UnaryOperator<MigrationTaskStatus> change) {
        MigrationTask[] written = new MigrationTask[1];
        await().untilAsserted(() -> {
            MigrationTask current = task(taskName);
            MigrationTask copy = Serialization.clone(current);
            copy.setStatus(change.apply(copy.getStatus() == null ? new MigrationTaskStatus() : copy.getStatus()));
            try {
                written[0] = client.resources(MigrationTask.class).inNamespace(NAMESPACE).resource(copy)
                        .lockResourceVersion(current.getMetadata().getResourceVersion()).updateStatus();
            } catch (KubernetesClientException e) {
                assertThat(e.getCode()).as("only a conflict is retried").isEqualTo(409);
                throw new AssertionError("conflict, retrying", e);
            }
        });
        return written[0];
    }

    /** Plays the kubelet: a worker pod of the job, Ready or not. */
    Pod startWorkerPod(String job, String name, boolean ready, Instant readySince) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE)
                    .withLabels(Map.of(Ferry.JOB_LABEL, job, Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER,
                            Ferry.APP_NAME_LABEL, Ferry.APP_NAME))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("ferry/worker:test").endContainer().endSpec()
                .build();
        Pod created = client.pods().inNamespace(NAMESPACE).resource(pod).create();
        return setReady(created.getMetadata().getName(), ready, readySince);
    }

    Pod setReady(String podName, boolean ready, Instant since) {
        Pod current = client.pods().inNamespace(NAMESPACE).withName(podName).get();
        Pod changed = new PodBuilder(current)
                .withNewStatus()
                    .withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                        .withLastTransitionTime(since.toString()).endCondition()
                .endStatus()
                .build();
        return client.pods().inNamespace(NAMESPACE).resource(changed).updateStatus();
    }

    /** Plays a worker renewing its Lease: named after its pod, held by the pod's UID. */
    Lease renewLease(String job, String podName, Instant renewTime, int durationSeconds) {
        Lease lease = new LeaseBuilder()
                .withNewMetadata().withName(podName).withNamespace(NAMESPACE)
                    .withLabels(Map.of(Ferry.JOB_LABEL, job, Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER))
                .endMetadata()
                .withNewSpec().withHolderIdentity(podUid(podName)).withLeaseDurationSeconds(durationSeconds)
                    .withRenewTime(renewTime.atZone(ZoneOffset.UTC)).endSpec()
                .build();
        return client.leases().inNamespace(NAMESPACE).resource(lease).createOr(NonDeletingOperation::update);
    }

    void deletePod(String name) {
        client.pods().inNamespace(NAMESPACE).withName(name).delete();
    }

    String podUid(String name) {
        return client.pods().inNamespace(NAMESPACE).withName(name).get().getMetadata().getUid();
    }
}
