package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Which objects go when their owner goes, and an index that forgets what is gone. */
class OwnerIndexTest {
    private static final Function<String, String> PATH = apiVersion -> "/apis/" + apiVersion + "/x";

    private final OwnerIndex index = new OwnerIndex();

    @Test
    void anObjectGoesWithItsLastOwnerAndTheIndexForgetsBoth() {
        index.written("ns/jobs/a", null, object("job-uid"), PATH);
        assertThat(index.written("ns/tasks/t", null, object("task-uid", "job-uid"), PATH)).isEmpty();
        assertThat(index.size()).isEqualTo(1);

        assertThat(index.removed("ns/jobs/a", object("job-uid"))).containsExactly("/apis/ferry.dev/v1alpha1/x");
        assertThat(index.size()).as("the task is to be deleted: no longer indexed").isZero();
    }

    @Test
    void aDeletedDependentIsForgottenAndItsOwnerTakesNothingWithIt() {
        index.written("ns/jobs/a", null, object("job-uid"), PATH);
        index.written("ns/tasks/t", null, object("task-uid", "job-uid"), PATH);

        assertThat(index.removed("ns/tasks/t", object("task-uid", "job-uid"))).isEmpty();
        assertThat(index.size()).isZero();
        assertThat(index.removed("ns/jobs/a", object("job-uid"))).isEmpty();
    }

    @Test
    void aStatusWriteThatLeavesTheOwnersAsTheyWereChangesNothing() {
        index.written("ns/jobs/a", null, object("job-uid"), PATH);
        String task = object("task-uid", "job-uid");
        index.written("ns/tasks/t", null, task, PATH);

        index.written("ns/tasks/t", task, task.replace("}}", "},\"status\":{\"phase\":\"Running\"}}"), PATH);

        assertThat(index.size()).isEqualTo(1);
        assertThat(index.removed("ns/jobs/a", object("job-uid"))).hasSize(1);
    }

    @Test
    void anObjectWrittenForAnOwnerThatIsGoneIsGarbageAtOnce() {
        assertThat(index.written("ns/tasks/t", null, object("task-uid", "never-seen"), PATH))
                .contains("/apis/ferry.dev/v1alpha1/x");
        assertThat(index.size()).isZero();
    }

    @Test
    void readsTheMetadataWhateverComesBeforeIt() {
        OwnerIndex.Metadata metadata = OwnerIndex.metadataOf("""
                {"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"w"}]},
                 "metadata":{"name":"p","uid":"pod-uid","ownerReferences":[{"kind":"Deployment","uid":"d-1"},
                   {"kind":"Other","controller":false,"uid":"o-2"}]}}""");

        assertThat(metadata.apiVersion()).isEqualTo("v1");
        assertThat(metadata.uid()).isEqualTo("pod-uid");
        assertThat(metadata.ownerUids()).containsExactly("d-1", "o-2");
    }

    /** A stored object of uid {@code uid} owned by {@code owners}. */
    private static String object(String uid, String... owners) {
        StringBuilder refs = new StringBuilder();
        for (String owner : owners) {
            refs.append(refs.isEmpty() ? "" : ",").append("{\"kind\":\"MigrationJob\",\"uid\":\"").append(owner).append("\"}");
        }
        return "{\"apiVersion\":\"ferry.dev/v1alpha1\",\"kind\":\"K\",\"metadata\":{\"name\":\"n\",\"uid\":\"" + uid + "\""
                + (owners.length == 0 ? "" : ",\"ownerReferences\":[" + refs + "]") + "}}";
    }
}
