package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.SourceSpec;
import dev.ferry.local.apiserver.LocalApiPerClass;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** `ferry migrate` follows its job through a watch on the local API, and by reading it when there is none. */
class JobChangesIT {
    /** Far longer than any test waits: a test that reaches it has waited for a timeout instead of a change. */
    static final Duration LONG = Duration.ofSeconds(30);

    @RegisterExtension
    static final LocalApiPerClass API = new LocalApiPerClass();
    static int jobs;

    @Test
    void theJobsEndIsSeenWhenItIsWrittenNotAfterTheRefreshInterval() throws Exception {
        String name = createJob();
        AtomicInteger reads = new AtomicInteger();
        try (JobChanges changes = JobChanges.of(API.client(), "default", name)) {
            CompletableFuture<Void> finish = CompletableFuture.runAsync(() -> {
                sleep(200);
                setPhase(name, JobPhase.Succeeded);
            });
            long start = System.nanoTime();
            MigrationJob seen = null;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10) && !succeeded(seen)) {
                seen = changes.next(LONG, () -> {
                    reads.incrementAndGet();
                    return API.client().resources(MigrationJob.class).inNamespace("default").withName(name).get();
                });
            }
            finish.join();

            assertThat(succeeded(seen)).as("the Succeeded write seen").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(reads).as("the watch showed the job; nothing read it").hasValue(0);
        }
    }

    @Test
    void aDeletedJobIsSeenAsGone() throws Exception {
        String name = createJob();
        MigrationJob read = new MigrationJob();
        try (JobChanges changes = JobChanges.of(API.client(), "default", name)) {
            setPhase(name, JobPhase.Verifying);
            MigrationJob seen;
            do { // the watch is live once it shows that write
                seen = changes.next(LONG, () -> read);
            } while (seen == read || seen.getStatus().phase != JobPhase.Verifying);
            long start = System.nanoTime();

            API.client().resources(MigrationJob.class).inNamespace("default").withName(name).delete();

            assertThat(changes.next(LONG, () -> read)).isNull();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG.dividedBy(2));
        }
    }

    @Test
    void aSilentWatchLeavesTheJobToBeReadAfterTheTimeAskedFor() throws Exception {
        KubernetesClient unreachable = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:9").withRequestRetryBackoffLimit(0).build()).build();
        MigrationJob read = new MigrationJob();
        try (unreachable; JobChanges changes = JobChanges.of(unreachable, "default", "any")) {
            long start = System.nanoTime();

            assertThat(changes.next(Duration.ofMillis(200), () -> read)).isSameAs(read);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG.dividedBy(2));
        }
    }

    @Test
    void onceTheWatchHasClosedTheJobIsReadEveryPoll() throws Exception {
        String name = createJob();
        MigrationJob read = new MigrationJob();
        try (JobChanges changes = JobChanges.of(API.client(), "default", name)) {
            changes.onClose(new WatcherException("410 Gone"));
            long start = System.nanoTime();

            assertThat(changes.next(LONG, () -> read)).isSameAs(read);
            assertThat(changes.next(LONG, () -> read)).isSameAs(read);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG.dividedBy(2));
        }
    }

    private static boolean succeeded(MigrationJob job) {
        return job != null && job.getStatus() != null && job.getStatus().phase == JobPhase.Succeeded;
    }

    private static String createJob() {
        String name = "watched-" + (++jobs);
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
        job.setSpec(new MigrationJobSpec());
        job.getSpec().source = new SourceSpec();
        job.getSpec().source.pvc = "data";
        job.getSpec().destination = new DestinationSpec();
        job.getSpec().destination.bucket = "bkt";
        job.getSpec().destination.credentialsSecret = "s3";
        API.client().resources(MigrationJob.class).inNamespace("default").resource(job).create();
        setPhase(name, JobPhase.Running);
        return name;
    }

    private static void setPhase(String name, JobPhase phase) {
        MigrationJob job = API.client().resources(MigrationJob.class).inNamespace("default").withName(name).get();
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = phase;
        job.setStatus(status);
        API.client().resources(MigrationJob.class).inNamespace("default").resource(job).updateStatus();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
