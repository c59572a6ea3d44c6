package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A `ferry migrate --name NAME --work-dir DIR ...` running in the background, and a client of its
 * local API (through the kubeconfig it writes), so a fault test can act on it as a user would.
 */
final class BackgroundMigration {
    private final CompletableFuture<FerryProcess.Result> result;
    private final Path kubeconfig;

    private BackgroundMigration(CompletableFuture<FerryProcess.Result> result, Path kubeconfig) {
        this.result = result;
        this.kubeconfig = kubeconfig;
    }

    static BackgroundMigration start(Path cwd, Path workDir, String name, String... args) {
        return start(cwd, workDir, name, Map.of(), args);
    }

    /** As above, with {@code env} added to the environment of `ferry` (and so of the processes it starts). */
    static BackgroundMigration start(Path cwd, Path workDir, String name, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("migrate"));
        command.addAll(List.of(args));
        command.addAll(List.of("--name", name, "--work-dir", workDir.toString(), "--json"));
        CompletableFuture<FerryProcess.Result> result = CompletableFuture.supplyAsync(() -> {
            try {
                return FerryProcess.run(cwd, env, 600, command.toArray(String[]::new));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        return new BackgroundMigration(result, workDir.resolve("runs").resolve(name).resolve("kubeconfig"));
    }

    /** A client of the migration's local API, once its kubeconfig exists. */
    KubernetesClient client() throws IOException {
        await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(kubeconfig) || result.isDone());
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    }

    Path kubeconfig() {
        return kubeconfig;
    }

    boolean isDone() {
        return result.isDone();
    }

    FerryProcess.Result result() throws InterruptedException, ExecutionException {
        return result.get();
    }

    /**
     * Waits for the end and holds it to what a fault test promises: exit 0, a summary with every file of
     * the source and none failed, and the bucket holding exactly the source's files ({@link ObjectListing}).
     */
    void assertEveryFileMigrated(LocalS3 s3, S3Credentials credentials, String bucket, Map<String, String> expected)
            throws Exception {
        FerryProcess.Result done = result();
        assertThat(done.exitCode()).as("exit code; stderr:%n%s", done.stderr()).isZero();
        JsonNode summary = new ObjectMapper().readTree(done.stdout());
        assertThat(summary.path("files").path("total").asLong()).isEqualTo(expected.size());
        assertThat(summary.path("files").path("failed").asLong()).isZero();
        assertThat(ObjectListing.of(s3, credentials, bucket, "")).isEqualTo(expected);
    }
}
