package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.PlanScope;
import dev.ferry.api.TaskType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The local API deletes what a deleted object owned, as a real API server's garbage collector does: a job's tasks
 * and worker Deployment, the Deployment's pods, a pod's Lease. Without it, {@code kubectl delete mj} in the dev
 * cluster left every task and the worker Deployment behind, and a job applied again under the name found them.
 */
class GarbageCollectionIT {
    private static final String NS = "default";
    @RegisterExtension
    static final LocalApiPerClass API = new LocalApiPerClass();

    @Test
    void deletingAJobDeletesItsTasksItsDeploymentItsPodsAndTheirLeasesAndWatchesSeeEachGo() {
        MigrationJob job = createJob("photos");
        MigrationTask plan = createTask("photos-plan", job);
        MigrationTask copy = createTask("photos-plan-00001", job);
        Deployment workers = API.client().apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName("photos-worker").withOwnerReferences(ownedBy(job)).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "w").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "w").endMetadata()
                        .withNewSpec().addNewContainer().withName("worker").withImage("w").endContainer().endSpec()
                    .endTemplate()
                .endSpec().build()).create();
        Pod pod = API.client().pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName("photos-worker-a").withOwnerReferences(ownedBy(workers)).endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("w").endContainer().endSpec().build()).create();
        API.client().leases().inNamespace(NS).resource(new LeaseBuilder()
                .withNewMetadata().withName("photos-worker-a").withOwnerReferences(ownedBy(pod)).endMetadata()
                .withNewSpec().withHolderIdentity("a").endSpec().build()).create();
        MigrationJob other = createJob("music");
        createTask("music-plan", other);
        List<String> deletedTasks = new CopyOnWriteArrayList<>();
        // Resumed from the list's resourceVersion: watch() returns before the server has registered the watch, so
        // a delete sent at once could come first and never be heard (it did, once, in CI); replayed, it cannot.
        String listed = API.client().resources(MigrationTask.class).inNamespace(NS).list().getMetadata().getResourceVersion();
        try (Watch watch = API.client().resources(MigrationTask.class).inNamespace(NS)
                .watch(new ListOptionsBuilder().withResourceVersion(listed).build(), deletions(deletedTasks))) {

            API.client().resources(MigrationJob.class).inNamespace(NS).withName("photos").delete();

            assertThat(API.client().resources(MigrationTask.class).inNamespace(NS).list().getItems())
                    .extracting(t -> t.getMetadata().getName()).containsExactly("music-plan");
            assertThat(API.client().apps().deployments().inNamespace(NS).withName("photos-worker").get()).isNull();
            assertThat(API.client().pods().inNamespace(NS).withName("photos-worker-a").get()).isNull();
            assertThat(API.client().leases().inNamespace(NS).withName("photos-worker-a").get()).isNull();
            await().untilAsserted(() -> assertThat(deletedTasks)
                    .containsExactlyInAnyOrder(plan.getMetadata().getName(), copy.getMetadata().getName()));
        }
        assertThat(API.client().resources(MigrationJob.class).inNamespace(NS).withName("music").get()).isNotNull();
    }

    @Test
    void anObjectWithAnotherOwnerLeftStaysUntilThatOneGoesToo() {
        ConfigMap first = configMap("first");
        ConfigMap second = configMap("second");
        API.client().configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("shared").withOwnerReferences(ownedBy(first), ownedBy(second)).endMetadata()
                .build()).create();

        API.client().configMaps().inNamespace(NS).withName("first").delete();
        assertThat(API.client().configMaps().inNamespace(NS).withName("shared").get()).isNotNull();

        API.client().configMaps().inNamespace(NS).withName("second").delete();
        assertThat(API.client().configMaps().inNamespace(NS).withName("shared").get()).isNull();
    }

    @Test
    void anObjectReleasedByItsOwnerIsNotCollectedWithIt() {
        ConfigMap owner = configMap("owner");
        ConfigMap released = API.client().configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("released").withOwnerReferences(ownedBy(owner)).endMetadata().build()).create();
        released.getMetadata().setOwnerReferences(List.of());
        API.client().configMaps().inNamespace(NS).resource(released).update();

        API.client().configMaps().inNamespace(NS).withName("owner").delete();

        assertThat(API.client().configMaps().inNamespace(NS).withName("released").get()).isNotNull();
    }

    @Test
    void anObjectCreatedForAnOwnerThatIsGoneIsCollectedAtOnce() {
        // What a controller does that acts on a stale copy of a job deleted meanwhile: creates for it.
        ConfigMap owner = configMap("gone");
        API.client().configMaps().inNamespace(NS).withName("gone").delete();

        API.client().configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("late").withOwnerReferences(ownedBy(owner)).endMetadata().build()).create();

        assertThat(API.client().configMaps().inNamespace(NS).withName("late").get()).isNull();
    }

    private static MigrationJob createJob(String name) {
        JobManifests.create(API.client(), JobManifests.validJob(name, NS, "data", "creds"));
        return API.client().resources(MigrationJob.class).inNamespace(NS).withName(name).get();
    }

    private static MigrationTask createTask(String name, MigrationJob job) {
        MigrationTask task = new MigrationTask();
        task.getMetadata().setName(name);
        task.getMetadata().setLabels(Map.of(Ferry.JOB_LABEL, job.getMetadata().getName()));
        task.getMetadata().setOwnerReferences(List.of(ownedBy(job)));
        task.setSpec(new MigrationTaskSpec());
        task.getSpec().jobName = job.getMetadata().getName();
        task.getSpec().type = TaskType.Plan;
        task.getSpec().plan = new PlanScope();
        task.getSpec().plan.directory = "";
        return API.client().resources(MigrationTask.class).inNamespace(NS).resource(task).create();
    }

    private static ConfigMap configMap(String name) {
        return API.client().configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName(name).endMetadata().build()).create();
    }

    private static OwnerReference ownedBy(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(false).build();
    }

    private static Watcher<MigrationTask> deletions(List<String> names) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, MigrationTask task) {
                if (action == Action.DELETED) {
                    names.add(task.getMetadata().getName());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }
}
