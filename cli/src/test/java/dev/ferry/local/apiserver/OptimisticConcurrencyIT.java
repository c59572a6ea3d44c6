package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The local API refuses a write based on a stale resourceVersion with 409, as a real API server
 * does: task hand-over (operator assigns, holder reports) depends on it.
 */
class OptimisticConcurrencyIT {
    @RegisterExtension
    static final LocalApiPerClass API = new LocalApiPerClass();

    @Test
    void refusesAStatusUpdateBasedOnAStaleResourceVersion() {
        MigrationTask created = API.client().resources(MigrationTask.class).inNamespace("default").resource(task("t1")).create();
        MigrationTask first = API.client().resources(MigrationTask.class).inNamespace("default").withName("t1").get();
        MigrationTask stale = API.client().resources(MigrationTask.class).inNamespace("default").withName("t1").get();

        first.setStatus(status(TaskPhase.Assigned, 1));
        API.client().resources(MigrationTask.class).inNamespace("default").resource(first).updateStatus();
        stale.setStatus(status(TaskPhase.Running, 0));

        assertThatThrownBy(() -> API.client().resources(MigrationTask.class).inNamespace("default").resource(stale).updateStatus())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        MigrationTask stored = API.client().resources(MigrationTask.class).inNamespace("default").withName("t1").get();
        assertThat(stored.getStatus().phase).isEqualTo(TaskPhase.Assigned);
        assertThat(stored.getMetadata().getResourceVersion()).isNotEqualTo(created.getMetadata().getResourceVersion());
    }

    @Test
    void acceptsAnUpdateBasedOnTheCurrentResourceVersion() {
        API.client().resources(MigrationTask.class).inNamespace("default").resource(task("t2")).create();
        MigrationTask current = API.client().resources(MigrationTask.class).inNamespace("default").withName("t2").get();
        current.setStatus(status(TaskPhase.Assigned, 3));

        API.client().resources(MigrationTask.class).inNamespace("default").resource(current).updateStatus();

        assertThat(API.client().resources(MigrationTask.class).inNamespace("default").withName("t2").get()
                .getStatus().epochOrZero()).isEqualTo(3);
    }

    /**
     * The front calls the store from many threads at once; every write must still be checked against the
     * version it read, so increments made by racing writers, each retried on 409, add up exactly.
     */
    @Test
    void racingWritersThroughThePublicPortLoseNoUpdate() throws Exception {
        API.client().resources(MigrationTask.class).inNamespace("default").resource(task("t3")).create();
        int writers = 6;
        int incrementsEach = 15;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicInteger conflicts = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < incrementsEach; i++) {
                    while (true) {
                        MigrationTask current = API.client().resources(MigrationTask.class).inNamespace("default")
                                .withName("t3").get();
                        long epoch = current.getStatus() == null ? 0 : current.getStatus().epochOrZero();
                        current.setStatus(status(TaskPhase.Assigned, epoch + 1));
                        try {
                            API.client().resources(MigrationTask.class).inNamespace("default").resource(current)
                                    .lockResourceVersion(current.getMetadata().getResourceVersion()).updateStatus();
                            break;
                        } catch (KubernetesClientException e) {
                            assertThat(e.getCode()).isEqualTo(409);
                            conflicts.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> writer : done) {
            writer.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(API.client().resources(MigrationTask.class).inNamespace("default").withName("t3").get()
                .getStatus().epochOrZero()).isEqualTo((long) writers * incrementsEach);
        assertThat(conflicts.get()).as("the writers did race").isPositive();
    }

    private static MigrationTask task(String name) {
        MigrationTask task = new MigrationTask();
        task.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
        task.setSpec(new MigrationTaskSpec());
        task.getSpec().jobName = "job";
        task.getSpec().type = TaskType.Copy;
        return task;
    }

    private static MigrationTaskStatus status(TaskPhase phase, long epoch) {
        MigrationTaskStatus status = new MigrationTaskStatus();
        status.phase = phase;
        status.assignment = new MigrationTaskStatus.Assignment();
        status.assignment.epoch = epoch;
        return status;
    }
}
