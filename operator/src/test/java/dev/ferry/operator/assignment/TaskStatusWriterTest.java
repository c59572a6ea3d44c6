package dev.ferry.operator.assignment;

import static dev.ferry.operator.TestObjects.job;
import static dev.ferry.operator.TestObjects.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's task writes change a copy: the task it read (the informer's) stays as it was; the writes of
 * one pass are sent side by side and recorded in order.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class TaskStatusWriterTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    /** The tasks as they were before each write this test's writer made, as the caches are told. */
    private final List<MigrationTask> told = new ArrayList<>();
    private final TaskStatusWriter writer = new TaskStatusWriter(client, (written, previous) -> told.add(previous));

    @Test
    void aWriteSendsTheNewStatusWithTheSpecAndLeavesTheTaskItReadUntouched() {
        MigrationTask unsaved = task("job-a-00001", TaskType.Copy, TaskPhase.Pending);
        unsaved.getSpec().files = new ArrayList<>(List.of(new FileEntry()));
        unsaved.getSpec().files.get(0).path = "a/b.bin";
        MigrationTask read = stored(unsaved);
        String before = Serialization.asJson(read);
        JobState state = new JobState(job("job-a"), List.of(read), List.of(), null, Instant.EPOCH);

        Optional<MigrationTask> written = writer.write(state, read, status -> {
            status.phase = TaskPhase.Assigned;
            status.attempts = 1;
            return status;
        });

        assertThat(written).isPresent();
        assertThat(written.get().getStatus().phase).isEqualTo(TaskPhase.Assigned);
        assertThat(written.get().getMetadata().getResourceVersion()).isNotEqualTo(read.getMetadata().getResourceVersion());
        MigrationTask now = client.resources(MigrationTask.class).inNamespace("ns").withName("job-a-00001").get();
        assertThat(now.getStatus().attempts).isEqualTo(1);
        assertThat(now.getSpec().files).extracting(f -> f.path).containsExactly("a/b.bin");
        assertThat(Serialization.asJson(read)).as("the informer's copy").isEqualTo(before);
        assertThat(told).containsExactly(read);
        assertThat(state.tasks()).extracting(t -> t.getStatus().phase).containsExactly(TaskPhase.Assigned);
    }

    /**
     * The fence of a take-back: a holder's write that lands between the operator's read and its write wins, and the
     * operator's write, made on what it read, is refused (409) and changes nothing; the next reconcile decides on
     * the task as it is.
     */
    @Test
    void aWriteOnATaskChangedSinceItWasReadIsRefusedAndChangesNothing() {
        MigrationTask read = stored(task("job-c-00001", TaskType.Copy, TaskPhase.Assigned));
        MigrationTask byTheHolder = Serialization.clone(read);
        byTheHolder.getStatus().phase = TaskPhase.Running;
        client.resources(MigrationTask.class).inNamespace("ns").resource(byTheHolder).updateStatus();
        JobState state = new JobState(job("job-c"), List.of(read), List.of(), null, Instant.EPOCH);

        Optional<MigrationTask> written = writer.write(state, read, status -> {
            status.phase = TaskPhase.Pending;
            status.takebacks = 1;
            return status;
        });

        assertThat(written).isEmpty();
        assertThat(told).isEmpty();
        MigrationTask now = client.resources(MigrationTask.class).inNamespace("ns").withName("job-c-00001").get();
        assertThat(now.getStatus().phase).isEqualTo(TaskPhase.Running);
        assertThat(now.getStatus().takebacks).isNull();
    }

    @Test
    void writesOfOnePassGoSideBySideAndComeBackInTheOrderGivenWithALostOneEmpty() {
        List<MigrationTask> read = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            read.add(stored(task("job-b-0000" + n, TaskType.Copy, TaskPhase.Pending)));
        }
        // the second task went away after the operator read it (404; a 409 is answered alike, below)
        client.resources(MigrationTask.class).inNamespace("ns").withName("job-b-00002").delete();
        List<String> toldOn = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            TaskStatusWriter onAPool = new TaskStatusWriter(client,
                    (written, previous) -> toldOn.add(written.getMetadata().getName() + " on " + Thread.currentThread().getName()),
                    request -> {
                        sent.incrementAndGet();
                        pool.execute(request);
                    });
            JobState state = new JobState(job("job-b"), read, List.of(), null, Instant.EPOCH);

            List<Optional<MigrationTask>> written = onAPool.writeAll(state, read.stream()
                    .map(task -> new TaskStatusWriter.Change(task, status -> {
                        status.phase = TaskPhase.Assigned;
                        return status;
                    })).toList());

            assertThat(sent).as("one request each, on the sender").hasValue(3);
            assertThat(written).extracting(Optional::isPresent).containsExactly(true, false, true);
            assertThat(written.get(2).orElseThrow().getMetadata().getName()).isEqualTo("job-b-00003");
            String self = Thread.currentThread().getName();
            assertThat(toldOn).as("the caches are told on the reconciling thread, in order")
                    .containsExactly("job-b-00001 on " + self, "job-b-00003 on " + self);
            assertThat(state.tasks()).extracting(t -> t.getStatus().phase)
                    .containsExactly(TaskPhase.Assigned, TaskPhase.Pending, TaskPhase.Assigned);
            assertThat(client.resources(MigrationTask.class).inNamespace("ns").withName("job-b-00002").get())
                    .as("a write that lost its race made nothing").isNull();
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code task} created in the API server, as an informer would then hold it. */
    private static MigrationTask stored(MigrationTask task) {
        task.getMetadata().setResourceVersion(null);
        return client.resources(MigrationTask.class).inNamespace("ns").resource(task).create();
    }
}
