package dev.ferry.worker.task;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class TaskFenceIT {
    static KubernetesMockServer server;
    static KubernetesClient client;
    static int tasks;
    String task;

    @BeforeEach
    void assignedTask() {
        MigrationJob job = TestResources.create(client, TestResources.job("fence-" + (++tasks), null, "bucket", ""));
        task = "fence-task-" + tasks;
        TestResources.createCopyTask(client, job, task, List.of(new FileEntry("a", 1, 0)));
        TestResources.assign(client, task, POD_UID);
    }

    @Test
    void holderWritesStatusAndKeepsTheOperatorsAssignment() throws Exception {
        TaskFence fence = TaskFence.claim(client, TestResources.NAMESPACE, task, POD_UID, Clock.systemUTC()).orElseThrow();

        fence.update(s -> {
            s.phase = TaskPhase.Running;
            s.assignment = null; // not the worker's to change
        });

        MigrationTask stored = TestResources.task(client, task);
        assertThat(stored.getStatus().phase).isEqualTo(TaskPhase.Running);
        assertThat(stored.getStatus().assignment.podUid).isEqualTo(POD_UID);
        assertThat(stored.getStatus().assignment.epoch).isEqualTo(fence.epoch());
        assertThat(stored.getStatus().heartbeat).isNotNull();
    }

    @Test
    void refusesAStaleEpochAndLeavesTheStatusUnchanged() throws Exception {
        TaskFence fence = TaskFence.claim(client, TestResources.NAMESPACE, task, POD_UID, Clock.systemUTC()).orElseThrow();
        fence.update(s -> s.phase = TaskPhase.Running);
        // the operator takes the task back from this worker and hands it out again (same pod, new epoch)
        MigrationTask reassigned = TestResources.assign(client, task, POD_UID);

        assertThatThrownBy(() -> fence.update(s -> {
            s.phase = TaskPhase.Succeeded;
            s.message = "written by a zombie";
        })).isInstanceOf(LostTaskException.class).hasMessageContaining("epoch");

        MigrationTask stored = TestResources.task(client, task);
        assertThat(stored.getStatus().phase).isEqualTo(TaskPhase.Assigned);
        assertThat(stored.getStatus().message).isNull();
        assertThat(stored.getMetadata().getResourceVersion()).isEqualTo(reassigned.getMetadata().getResourceVersion());
    }

    @Test
    void refusesWritesOnceTheTaskBelongsToAnotherPod() throws Exception {
        TaskFence fence = TaskFence.claim(client, TestResources.NAMESPACE, task, POD_UID, Clock.systemUTC()).orElseThrow();
        MigrationTask other = TestResources.assign(client, task, "uid-of-another-pod");

        assertThatThrownBy(() -> fence.update(s -> s.phase = TaskPhase.Running))
                .isInstanceOf(LostTaskException.class).hasMessageContaining("uid-of-another-pod");
        assertThat(TestResources.task(client, task).getMetadata().getResourceVersion())
                .isEqualTo(other.getMetadata().getResourceVersion());
    }

    @Test
    void refusesWritesToADeletedTask() throws Exception {
        TaskFence fence = TaskFence.claim(client, TestResources.NAMESPACE, task, POD_UID, Clock.systemUTC()).orElseThrow();
        client.resources(MigrationTask.class).inNamespace(TestResources.NAMESPACE).withName(task).delete();

        assertThatThrownBy(() -> fence.update(s -> s.phase = TaskPhase.Running))
                .isInstanceOf(LostTaskException.class).hasMessageContaining("deleted");
    }

    @Test
    void doesNotClaimATaskAssignedToAnotherPod() {
        TestResources.assign(client, task, "uid-of-another-pod");

        assertThat(TaskFence.claim(client, TestResources.NAMESPACE, task, POD_UID, Clock.systemUTC())).isEmpty();
    }
}
