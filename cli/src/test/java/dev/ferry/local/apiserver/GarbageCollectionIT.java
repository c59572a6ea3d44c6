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
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local API deletes what a deleted object owned, as a real API server's garbage collector does: a job's tasks
 * and worker Deployment, the Deployment's pods, a pod's Lease. Without it, {@code kubectl delete mj} in the dev
 * cluster left every task and the worker Deployment behind, and a job applied again under the name found them.
 */
class GarbageCollectionIT {
    private static final String NS = "default";
    private static LocalKubernetesApi api;
    private static KubernetesClient client;

    @BeforeAll
    static void start() {
        api = LocalApis.withFerryCrds();
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void deletingAJobDeletesItsTasksItsDeploymentItsPodsAndTheirLeasesAndWatchesSeeEachGo() {
        MigrationJob job = createJob("photos");
        MigrationTask plan = createTask("photos-plan", job);
        MigrationTask copy = createTask("photos-plan-00001", job);
        Deployment workers = client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName("photos-worker").withOwnerReferences(ownedBy(job)).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "w").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "w").endMetadata()
                        .withNewSpec().addNewContainer().withName("worker").withImage("w").endContainer().endSpec()
                    .endTemplate()
                .endSpec().build()).create();
        Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName("photos-worker-a").withOwnerReferences(ownedBy(workers)).endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("w").endContainer().endSpec().build()).create();
        client.leases().inNamespace(NS).resource(new LeaseBuilder()
                .withNewMetadata().withName("photos-worker-a").withOwnerReferences(ownedBy(pod)).endMetadata()
                .withNewSpec().withHolderIdentity("a").endSpec().build()).create();
        MigrationJob other = createJob("music");
        createTask("music-plan", other);
        List<String> deletedTasks = new CopyOnWriteArrayList<>();
        try (Watch watch = client.resources(MigrationTask.class).inNamespace(NS).watch(deletions(deletedTasks))) {

            // the watch is open once it has seen a deletion
            createTask("music-probe", other);
            client.resources(MigrationTask.class).inNamespace(NS).withName("music-probe").delete();
            await().untilAsserted(() -> assertThat(deletedTasks).containsExactly("music-probe"));

            client.resources(MigrationJob.class).inNamespace(NS).withName("photos").delete();

            assertThat(client.resources(MigrationTask.class).inNamespace(NS).list().getItems())
                    .extracting(t -> t.getMetadata().getName()).containsExactly("music-plan");
            assertThat(client.apps().deployments().inNamespace(NS).withName("photos-worker").get()).isNull();
            assertThat(client.pods().inNamespace(NS).withName("photos-worker-a").get()).isNull();
            assertThat(client.leases().inNamespace(NS).withName("photos-worker-a").get()).isNull();
            await().untilAsserted(() -> assertThat(deletedTasks)
                    .containsExactlyInAnyOrder("music-probe", plan.getMetadata().getName(), copy.getMetadata().getName()));
        }
        assertThat(client.resources(MigrationJob.class).inNamespace(NS).withName("music").get()).isNotNull();
    }

    @Test
    void anObjectWithAnotherOwnerLeftStaysUntilThatOneGoesToo() {
        ConfigMap first = configMap("first");
        ConfigMap second = configMap("second");
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("shared").withOwnerReferences(ownedBy(first), ownedBy(second)).endMetadata()
                .build()).create();

        client.configMaps().inNamespace(NS).withName("first").delete();
        assertThat(client.configMaps().inNamespace(NS).withName("shared").get()).isNotNull();

        client.configMaps().inNamespace(NS).withName("second").delete();
        assertThat(client.configMaps().inNamespace(NS).withName("shared").get()).isNull();
    }

    @Test
    void anObjectReleasedByItsOwnerIsNotCollectedWithIt() {
        ConfigMap owner = configMap("owner");
        ConfigMap released = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("released").withOwnerReferences(ownedBy(owner)).endMetadata().build()).create();
        released.getMetadata().setOwnerReferences(List.of());
        client.configMaps().inNamespace(NS).resource(released).update();

        client.configMaps().inNamespace(NS).withName("owner").delete();

        assertThat(client.configMaps().inNamespace(NS).withName("released").get()).isNotNull();
    }

    @Test
    void anObjectCreatedForAnOwnerThatIsGoneIsCollectedAtOnce() {
        // What a controller does that acts on a stale copy of a job deleted meanwhile: creates for it.
        ConfigMap owner = configMap("gone");
        client.configMaps().inNamespace(NS).withName("gone").delete();

        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("late").withOwnerReferences(ownedBy(owner)).endMetadata().build()).create();

        assertThat(client.configMaps().inNamespace(NS).withName("late").get()).isNull();
    }

    private static MigrationJob createJob(String name) {
        JobManifests.create(client, JobManifests.validJob(name, NS, "data", "creds"));
        return client.resources(MigrationJob.class).inNamespace(NS).withName(name).get();
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
        return client.resources(MigrationTask.class).inNamespace(NS).resource(task).create();
    }

    private static ConfigMap configMap(String name) {
        return client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
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
