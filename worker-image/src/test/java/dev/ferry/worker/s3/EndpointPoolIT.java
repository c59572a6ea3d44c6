package dev.ferry.worker.s3;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.testing.LocalWorker;
import dev.ferry.worker.testing.S3ProxyServer;
import dev.ferry.worker.testing.TestResources;
import dev.ferry.worker.testing.Trees;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * Two S3Proxy servers over one filesystem blobstore are two gateways of one store: the worker spreads
 * its requests over both, survives one of them stopping in the middle of a task, and takes it back
 * when it answers again.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class EndpointPoolIT {
    static final EndpointPool.Settings FAST =
            new EndpointPool.Settings(Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(100));

    static KubernetesMockServer server;
    static KubernetesClient client;
    static Path store;
    static S3ProxyServer gatewayA;
    static S3ProxyServer gatewayB;
    static URI endpointB;
    static int jobs;

    @TempDir
    Path source;
    String bucket;
    MigrationJob job;
    volatile EndpointPool pool;
    LocalWorker worker;

    @BeforeAll
    static void startTwoGatewaysOfOneStore(@TempDir Path blobs) throws Exception {
        store = blobs;
        gatewayA = S3ProxyServer.start(store);
        gatewayB = S3ProxyServer.start(store);
        endpointB = gatewayB.endpoint();
        TestResources.installCrds(client);
        TestResources.createCredentials(client);
    }

    @AfterAll
    static void stopGateways() throws Exception {
        gatewayA.close();
        if (gatewayB != null) {
            gatewayB.close();
        }
    }

    @BeforeEach
    void newBucketAndWorker() throws Exception {
        if (gatewayB == null) {
            gatewayB = S3ProxyServer.start(store, endpointB.getPort());
        }
        bucket = "gateways-" + (++jobs);
        gatewayA.createBucket(bucket);
        MigrationJob spec = TestResources.job("job-" + bucket, gatewayA.endpoint(), bucket, "/gw/");
        spec.getSpec().destination.endpoints = List.of(gatewayA.endpoint().toString(), endpointB.toString());
        spec.getSpec().workers.partSize = "5Mi";
        spec.getSpec().workers.concurrency = 4;
        job = TestResources.create(client, spec);
        worker = new LocalWorker(client, source, POD_UID, job -> {
            pool = S3ClientFactory.pool(job.getSpec().destination,
                    AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY),
                    job.getSpec().workersOrDefaults().concurrencyOrDefault(), FAST);
            return pool;
        });
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    @Test
    void spreadsSmallFilesAndThePartsOfALargeOneOverBothGateways() {
        Map<String, byte[]> tree = smallFiles(300);
        tree.put("large/twelve-mib.bin", Trees.randomBytes(12 * 1024 * 1024 + 7, 42));
        String task = copyTask(tree);

        worker.run(task);

        assertSucceededWithEveryFileCopied(task, tree);
        assertThat(pool.served(gatewayA.endpoint())).isGreaterThan(50);
        assertThat(pool.served(endpointB)).isGreaterThan(50);
        // a HEAD answered 404 for every new file: an answer about the request, not a gateway failure
        assertThat(pool.healthy(gatewayA.endpoint())).isTrue();
        assertThat(pool.healthy(endpointB)).isTrue();
        assertEveryObjectIsStored(tree);
    }

    @Test
    void losesNoFileWhenAGatewayStopsInTheMiddleOfATask() throws Exception {
        Map<String, byte[]> tree = smallFiles(400);
        tree.put("large/twelve-mib.bin", Trees.randomBytes(12 * 1024 * 1024 + 7, 43));
        tree.putAll(smallFiles(400, "more"));
        String task = copyTask(tree);

        CompletableFuture<Void> copying = CompletableFuture.runAsync(() -> worker.run(task));
        await().atMost(Duration.ofSeconds(20)).until(() -> pool != null && pool.served(endpointB) >= 40);
        stopGatewayB();
        copying.get();

        assertSucceededWithEveryFileCopied(task, tree);
        assertThat(pool.healthy(endpointB)).as("the stopped gateway was taken out of rotation").isFalse();
        assertEveryObjectIsStored(tree);
    }

    @Test
    void aStoppedGatewayRejoinsWhenItAnswersItsProbeAgain() throws Exception {
        stopGatewayB();
        String first = copyTask(smallFiles(20, "first"), "-first");
        worker.run(first);
        assertThat(TestResources.task(client, first).getStatus().phase).isEqualTo(TaskPhase.Succeeded);
        assertThat(pool.healthy(endpointB)).isFalse();

        gatewayB = S3ProxyServer.start(store, endpointB.getPort());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pool.healthy(endpointB)).isTrue());
        long servedBefore = pool.served(endpointB);
        Map<String, byte[]> second = smallFiles(40, "second");
        String task = copyTask(second, "-again");
        worker.run(task);
        assertSucceededWithEveryFileCopied(task, second);
        assertThat(pool.served(endpointB)).isGreaterThan(servedBefore + 5);
    }

    private static void stopGatewayB() throws Exception {
        gatewayB.close();
        gatewayB = null;
    }

    private static Map<String, byte[]> smallFiles(int count) {
        return smallFiles(count, "small");
    }

    private static Map<String, byte[]> smallFiles(int count, String directory) {
        Map<String, byte[]> tree = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            tree.put(directory + "/" + (i % 10) + "/file-" + i + ".bin",
                    Trees.randomBytes(1024 + (i * 37) % 3072, directory.hashCode() + i));
        }
        return tree;
    }

    private String copyTask(Map<String, byte[]> tree) {
        return copyTask(tree, "");
    }

    private String copyTask(Map<String, byte[]> tree, String suffix) {
        String name = "copy-" + bucket + suffix;
        List<FileEntry> files = new ArrayList<>();
        tree.forEach((path, content) -> {
            Trees.write(source, path, content);
            files.add(new FileEntry(path, content.length, 0));
        });
        TestResources.createCopyTask(client, job, name, files);
        TestResources.assign(client, name, POD_UID);
        return name;
    }

    private static void assertSucceededWithEveryFileCopied(String task, Map<String, byte[]> tree) {
        MigrationTask done = TestResources.task(client, task);
        assertThat(done.getStatus().phase).as(done.getStatus().message).isEqualTo(TaskPhase.Succeeded);
        assertThat(done.getStatus().progress.failed).isZero();
        assertThat(done.getStatus().progress.copied).isEqualTo(tree.size());
    }

    private void assertEveryObjectIsStored(Map<String, byte[]> tree) {
        tree.forEach((path, content) -> assertThat(Trees.md5(Trees.readAll(
                gatewayA.client().getObject(b -> b.bucket(bucket).key("gw/" + path)))))
                .as(path).isEqualTo(Trees.md5(content)));
    }
}
