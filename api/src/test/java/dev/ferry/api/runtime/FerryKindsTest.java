package dev.ferry.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

class FerryKindsTest {
    private static final String TASK_EVENT = """
            {"type":"MODIFIED","object":{"apiVersion":"ferry.dev/v1alpha1","kind":"MigrationTask",
             "metadata":{"name":"job-00001","namespace":"default","resourceVersion":"7"},
             "spec":{"type":"Copy"},"status":{"phase":"Running"}}}""";
    private static final String JOB_EVENT = """
            {"type":"ADDED","object":{"apiVersion":"ferry.dev/v1alpha1","kind":"MigrationJob",
             "metadata":{"name":"job","namespace":"default"}}}""";

    @Test
    void aRegisteredClientReadsTheObjectOfAWatchEventAsFerrysClassAtOnce() {
        try (KubernetesClient client = FerryKinds.registeredWith(offlineClient())) {
            Object task = client.getKubernetesSerialization().unmarshal(TASK_EVENT, WatchEvent.class).getObject();
            assertThat(task).isInstanceOfSatisfying(MigrationTask.class, t -> {
                assertThat(t.getMetadata().getResourceVersion()).isEqualTo("7");
                assertThat(t.getStatus().phase).isEqualTo(TaskPhase.Running);
            });
            assertThat(client.getKubernetesSerialization().unmarshal(JOB_EVENT, WatchEvent.class).getObject())
                    .isInstanceOf(MigrationJob.class);
        }
    }

    @Test
    void anUnregisteredClientReadsThemAsGenericResourcesAndOtherClientsAreLeftAlone() {
        try (KubernetesClient registered = FerryKinds.registeredWith(offlineClient());
                KubernetesClient other = offlineClient()) {
            assertThat(registered).isNotNull();
            assertThat(other.getKubernetesSerialization().unmarshal(TASK_EVENT, WatchEvent.class).getObject())
                    .isInstanceOf(GenericKubernetesResource.class);
        }
    }

    private static KubernetesClient offlineClient() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("http://127.0.0.1:1").build()).build();
    }
}
