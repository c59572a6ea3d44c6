package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The chaos suite ({@code mvn verify -Pchaos}, or {@code e2e/chaos/run.sh}): a job of 20,000 files of mixed sizes
 * on {@code ferry dev-cluster} with 4 worker processes, 2 operator processes and 2 S3 gateways over one store,
 * while {@link ChaosMonkey} kills a worker every 5 s, kills the leading operator twice, takes a gateway down for
 * 30 s, hangs a worker for 30 s and restarts every worker. The job must end Succeeded with
 * every file present and intact (a listing of the bucket against a walk of the source, and {@code rclone check}),
 * its counters exact, no multipart upload left open, and no task ever written under an epoch older than one
 * already seen. The figures go to {@code target/chaos/report.md}.
 */
@Tag("chaos")
class ChaosIT {
    private static final String JOB = "chaos";
    private static final MixedTree TREE = new MixedTree(19_890, 96, 12, 2);
    private static final String STALL_TIMEOUT = "60s";
    /**
     * Past its Lease (15 s: its tasks are taken back) and short of the operator's hung-worker grace (deleted 45 s
     * after its last renewal): the worker comes back as a zombie holding tasks others now hold, and the fence
     * must refuse its writes. (75 s, longer than the stall timeout, meant a process killed as hung since that
     * grace came in, and no zombie; HungWorkerIT covers the deletion.)
     */
    private static final Duration HANG = Duration.ofSeconds(30);
    private static final S3Credentials CREDENTIALS =
            new S3Credentials(LocalS3.DEFAULT_ACCESS_KEY, LocalS3.DEFAULT_SECRET_KEY);

    @TempDir
    Path temp;

    @Test
    void aJobUnderSustainedChurnSucceedsWithEveryFileIntactAndCountedOnce() throws Exception {
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Path source = temp.resolve("tree");
        long bytes = TREE.writeTo(source, seed);
        Map<String, String> expected = SourceTree.describe(source);
        assertThat(expected).hasSize(TREE.files());
        System.out.printf("chaos: %d files, %d bytes, seed %d%n", TREE.files(), bytes, seed);

        try (DevCluster cluster = DevCluster.start(temp.resolve(".ferry"), "--operators", "2",
                "--volume", JOB + "=" + source, "--bucket", JOB);
             KubernetesClient client = cluster.client()) {
            LocalS3 secondGateway = LocalS3.start(DevCluster.freePort(), cluster.s3Data(), CREDENTIALS);
            TaskRecorder tasks = new TaskRecorder(cluster.client(), "default", Duration.ofSeconds(2));
            Path job = temp.resolve("job.yaml");
            Files.writeString(job, jobYaml(cluster.s3Port(), secondGateway.port()));
            Instant start = Instant.now();
            Kubectl.run(cluster.kubeconfig(), "apply", "-f", job.toString());

            MigrationJob finished;
            ChaosMonkey monkey = new ChaosMonkey(client, cluster.kubeconfig(), JOB, TREE.files(), secondGateway,
                    cluster.s3Data(), CREDENTIALS, HANG, seed);
            try (monkey) {
                monkey.start();
                finished = await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofSeconds(1))
                        .ignoreExceptions().until(() -> job(client), j -> j.getStatus() != null
                                && j.getStatus().phase != null && j.getStatus().phase.isFinished());
            }
            Duration elapsed = Duration.between(start, Instant.now());
            tasks.close();
            MigrationJobStatus status = finished.getStatus();

            assertThat(status.phase).as("phase; conditions %s; failures %s", status.conditions, status.failures)
                    .isEqualTo(JobPhase.Succeeded);
            assertThat(status.files.total).isEqualTo(TREE.files());
            assertThat(status.files.copied).as("copied").isEqualTo(TREE.files());
            assertThat(status.files.skipped).as("skipped").isZero();
            assertThat(status.files.failed).as("failed").isZero();
            assertThat(status.bytes.total).isEqualTo(bytes);
            assertThat(status.bytes.copied).isEqualTo(bytes);

            assertThat(monkey.killedLeaders()).as("leading operators killed").hasSize(2);
            assertThat(monkey.gatewayTaken()).as("a gateway went down").isTrue();
            assertThat(monkey.rolledOut()).as("the workers were restarted: all on the new template").isTrue();
            assertThat(monkey.workerKills()).as("workers killed").isGreaterThanOrEqualTo(5);
            ChaosMonkey.Hang hang = monkey.hung().orElseThrow(() -> new AssertionError("no worker was hung"));

            // Every file, independently of Ferry's bookkeeping: the bucket's listing read back against the source.
            LocalS3 gateway = monkey.gateway();
            assertThat(ObjectListing.of(gateway, CREDENTIALS, JOB, "")).isEqualTo(expected);
            RcloneCheck.assertIdenticalIfInstalled(source, gateway.endpoint(), CREDENTIALS, JOB, temp);
            try (S3Client store = ObjectListing.client(gateway, CREDENTIALS)) {
                assertThat(store.listMultipartUploads(b -> b.bucket(JOB)).uploads()).as("open multipart uploads").isEmpty();
            }

            List<String> twoEpochs = new ArrayList<>();
            int takebacks = 0;
            int attempts = 0;
            long maxEpoch = 0;
            for (String name : tasks.names()) {
                List<TaskRecorder.Seen> states = tasks.of(name);
                long epoch = 0;
                for (TaskRecorder.Seen seen : states) {
                    if (seen.epoch() < epoch) {
                        twoEpochs.add(name + " written under epoch " + seen.epoch() + " after epoch " + epoch);
                    }
                    epoch = Math.max(epoch, seen.epoch());
                }
                Map<Long, Set<String>> holders = states.stream().filter(s -> s.podUid() != null).collect(
                        Collectors.groupingBy(TaskRecorder.Seen::epoch, Collectors.mapping(TaskRecorder.Seen::podUid,
                                Collectors.toSet())));
                holders.forEach((e, pods) -> {
                    if (pods.size() > 1) {
                        twoEpochs.add(name + " epoch " + e + " held by " + pods);
                    }
                });
                TaskRecorder.Seen last = states.get(states.size() - 1);
                takebacks += last.takebacks();
                attempts += last.attempts();
                maxEpoch = Math.max(maxEpoch, epoch);
            }
            assertThat(twoEpochs).as("tasks under two epochs or two holders at once").isEmpty();
            long hungTasksTakenBack = tasks.names().stream()
                .filter(name -> handedOnFrom(tasks.of(name), hang.podUid())).count();
            assertThat(hungTasksTakenBack).as("tasks of the hung worker %s handed to another", hang.pod()).isPositive();

            String report = String.format("| %s | %d | %d MiB | %d s | %d | %d | %d | %d | %d | %d | %d |%n",
                    Instant.now().toString().substring(0, 19), TREE.files(), bytes >> 20, elapsed.toSeconds(),
                    monkey.workerKills(), monkey.killedLeaders().size(), tasks.names().size(), takebacks, attempts,
                    maxEpoch, hungTasksTakenBack);
            System.out.print("chaos: " + report);
            writeReport(report, monkey.acts());
        }
    }

    /** Whether a holder other than {@code podUid} held the task at a higher epoch than {@code podUid} ever did. */
    private static boolean handedOnFrom(List<TaskRecorder.Seen> states, String podUid) {
        long lastEpochOfPod = states.stream().filter(s -> podUid.equals(s.podUid()))
                .mapToLong(TaskRecorder.Seen::epoch).max().orElse(-1);
        return lastEpochOfPod >= 0 && states.stream().anyMatch(s -> s.podUid() != null
                && !podUid.equals(s.podUid()) && s.epoch() > lastEpochOfPod);
    }

    private static MigrationJob job(KubernetesClient client) {
        return client.resources(MigrationJob.class).inNamespace("default").withName(JOB).get();
    }

    private String jobYaml(int gatewayA, int gatewayB) {
        return """
                apiVersion: ferry.dev/v1alpha1
                kind: MigrationJob
                metadata:
                  name: %s
                spec:
                  source:
                    pvc: %s
                    path: /
                  destination:
                    bucket: %s
                    endpoints:
                      - http://127.0.0.1:%d
                      - http://127.0.0.1:%d
                    pathStyle: true
                    credentialsSecret: local-s3
                  workers:
                    replicas: 4
                    partSize: 8Mi
                  tasks:
                    maxFiles: 250
                    maxBytes: 64Mi
                    splitFileSize: 32Mi
                    stallTimeout: %s
                """.formatted(JOB, JOB, JOB, gatewayA, gatewayB, STALL_TIMEOUT);
    }

    private static void writeReport(String row, List<ChaosMonkey.Act> acts) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "chaos"));
        Path report = dir.resolve("report.md");
        if (!Files.exists(report)) {
            Files.writeString(report, "| finished | files | bytes | elapsed | worker kills | leader kills | tasks "
                    + "| takebacks | attempts used | highest epoch | hung worker's tasks handed on |\n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        }
        Files.writeString(report, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Files.write(dir.resolve("acts-" + Instant.now().toEpochMilli() + ".txt"),
                acts.stream().map(a -> String.format("%7.1f s  %s", a.at(), a.what())).toList());
    }
}
