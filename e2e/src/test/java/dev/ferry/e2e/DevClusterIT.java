package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's dev-cluster walkthrough, run as written with the real kubectl: start
 * `ferry dev-cluster`, apply the sample job, wait for Ready, read the columns, and find every sample
 * file in the embedded S3. Only the ports differ (free ones, so the test never meets a running cluster).
 */
class DevClusterIT {
    private static final String KUBECTL = "/usr/bin/kubectl";

    @TempDir
    Path temp;

    @Test
    void theReadmeWalkthroughWorksWithTheRealKubectl() throws Exception {
        int apiPort = freePort();
        int s3Port = freePort();
        Path workDir = temp.resolve(".ferry");
        Path log = temp.resolve("dev-cluster.log");
        Process cluster = new ProcessBuilder(FerryProcess.REPO.resolve("ferry").toString(), "dev-cluster",
                "--api-port", Integer.toString(apiPort), "--s3-port", Integer.toString(s3Port),
                "--work-dir", workDir.toString())
                .directory(FerryProcess.REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(log).contains("Press Ctrl-C to stop")
                    || !cluster.isAlive());
            assertThat(Files.readString(log)).contains("export KUBECONFIG=" + workDir.resolve("kubeconfig"));
            Path kubeconfig = workDir.resolve("kubeconfig");
            Path job = temp.resolve("migrationjob-local.yaml");
            Files.writeString(job, Files.readString(FerryProcess.REPO.resolve("samples/migrationjob-local.yaml"))
                    .replace("http://127.0.0.1:9500", "http://127.0.0.1:" + s3Port));

            assertThat(kubectl(kubeconfig, "apply", "-f", job.toString())).contains("migrationjob.ferry.dev/samples created");
            assertThat(kubectl(kubeconfig, "wait", "--for=condition=Ready", "mj/samples", "--timeout=120s"))
                    .contains("condition met");
            assertThat(kubectl(kubeconfig, "get", "mj")).containsPattern("samples\\s+True\\s+Succeeded\\s+100%\\s+10\\s");
            assertThat(kubectl(kubeconfig, "get", "mt")).contains("samples-plan ").contains("samples-plan-00001")
                    .doesNotContain("Pending").doesNotContain("Failed");
            assertThat(kubectl(kubeconfig, "get", "ferry")).contains("migrationjob.ferry.dev/samples")
                    .contains("migrationtask.ferry.dev/samples-plan-00001");
            assertThat(kubectl(kubeconfig, "describe", "mj", "samples")).contains("Succeeded")
                    .contains("all 10 files migrated");
            assertThat(SourceTree.describe(workDir.resolve("dev-cluster/s3/demo/samples")))
                    .isEqualTo(SourceTree.describe(FerryProcess.REPO.resolve("samples/data")));
        } finally {
            cluster.destroy();
            if (!cluster.waitFor(30, TimeUnit.SECONDS)) {
                cluster.descendants().forEach(ProcessHandle::destroyForcibly);
                cluster.destroyForcibly();
            }
        }
    }

    private static String kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(KUBECTL, "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(150, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
