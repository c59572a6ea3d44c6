package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry dev-cluster} as a separate process on free ports, as the README runs it, until closed (SIGTERM,
 * as Ctrl-C). Its API is reached through the kubeconfig it writes; its embedded S3 keeps its data under
 * {@code <work-dir>/dev-cluster/s3}.
 */
final class DevCluster implements AutoCloseable {
    private final Process process;
    private final Path workDir;
    private final Path log;
    private final int s3Port;

    private DevCluster(Process process, Path workDir, Path log, int s3Port) {
        this.process = process;
        this.workDir = workDir;
        this.log = log;
        this.s3Port = s3Port;
    }

    /** Starts it with {@code --work-dir workDir} and {@code extraArgs}, and waits until it says it is up. */
    static DevCluster start(Path workDir, String... extraArgs) throws IOException {
        return start(workDir, Map.of(), extraArgs);
    }

    /** As above, with {@code env} added to its environment (its pods' processes inherit it). */
    static DevCluster start(Path workDir, Map<String, String> env, String... extraArgs) throws IOException {
        int apiPort = freePort();
        int s3Port = freePort();
        Files.createDirectories(workDir);
        Path log = workDir.resolve("dev-cluster.log");
        List<String> command = new ArrayList<>(List.of(FerryProcess.REPO.resolve("ferry").toString(), "dev-cluster",
                "--api-port", Integer.toString(apiPort), "--s3-port", Integer.toString(s3Port),
                "--work-dir", workDir.toString()));
        command.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(command).directory(FerryProcess.REPO.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        DevCluster cluster = new DevCluster(process, workDir, log, s3Port);
        await().atMost(Duration.ofSeconds(120)).until(() -> cluster.log().contains("Press Ctrl-C to stop")
                || !process.isAlive());
        assertThat(process.isAlive()).as("ferry dev-cluster is up; its output:%n%s", cluster.log()).isTrue();
        return cluster;
    }

    Path kubeconfig() {
        return workDir.resolve("kubeconfig");
    }

    KubernetesClient client() throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig()))).build();
    }

    /** The embedded S3's port; its credentials are {@code LocalS3}'s defaults, in the Secret {@code local-s3}. */
    int s3Port() {
        return s3Port;
    }

    Path s3Data() {
        return workDir.resolve("dev-cluster/s3");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
