package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** A task hashes by what names its version; which tasks are equal is unchanged. */
class MigrationTaskTest {

    @Test
    void equalTasksHashAlikeAndTheHashReadsOnlyNamespaceNameAndVersion() {
        MigrationTask task = task("job-a-00001", "17");
        MigrationTask sameContent = new MigrationTask();
        sameContent.setMetadata(Serialization.clone(task.getMetadata()));
        sameContent.setSpec(task.getSpec());
        sameContent.setStatus(task.getStatus());

        assertThat(sameContent).isEqualTo(task).hasSameHashCodeAs(task);

        sameContent.getMetadata().getLabels().put("ferry.dev/job", "job-a");
        assertThat(sameContent).as("metadata still counts for equality").isNotEqualTo(task);
        assertThat(sameContent.hashCode()).as("but only its name and version for the hash").isEqualTo(task.hashCode());

        assertThat(task("job-a-00001", "18").hashCode()).as("a new version").isNotEqualTo(task.hashCode());
        assertThat(new MigrationTask().hashCode()).as("no metadata yet").isEqualTo(new MigrationTask().hashCode());
    }

    private static MigrationTask task(String name, String resourceVersion) {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName(name)
                .withResourceVersion(resourceVersion).build());
        task.setSpec(new MigrationTaskSpec());
        task.getSpec().jobName = "job-a";
        task.setStatus(new MigrationTaskStatus());
        task.getStatus().phase = TaskPhase.Pending;
        return task;
    }
}
