package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.local.LocalS3;
import dev.ferry.local.S3Credentials;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The operator's and the workers' {@code /metrics} during a real `ferry migrate` (an operator process and two
 * worker processes, each on the port its Pod's {@code ferry.dev/metrics-port} annotation names) add up to the
 * job's status: files copied, skipped (objects already there, {@code --overwrite Never}) and failed (a key too
 * long for S3), and bytes copied. Workers exit when the job ends, so each worker's counters are taken from its
 * last scrape after the job's status counted every planned file: from then on only the audit runs, which
 * counts nothing (it checks the files the copies counted).
 */
class MetricsEndToEndIT {
    private static final S3Credentials CREDENTIALS = new S3Credentials("metrics-key", "metrics-secret");
    private static final String JOB = "metrics";
    private static final int SMALL_FILES = 300;
    private static final int ALREADY_THERE = 40;
    private static final int MAX_FILES = 50;
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theWorkersCountersAddUpToTheJobsStatusAndTheOperatorCountsItsHandOuts() throws Exception {
        Path source = temp.resolve("tree");
        SourceTree.generate(source, SMALL_FILES, 1 << 20, 23);
        Path deep = source;
        for (int i = 0; i < 5; i++) {
            deep = deep.resolve(String.valueOf((char) ('a' + i)).repeat(240)); // the key passes S3's 1,024 bytes
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("too-long.txt"), "no key for me");
        List<String> files = List.copyOf(SourceTree.describe(source).keySet());

        try (LocalS3 s3 = LocalS3.start(0, temp.resolve("s3"), CREDENTIALS)) {
            try (S3Client client = ObjectListing.client(s3, CREDENTIALS)) {
                client.createBucket(b -> b.bucket(JOB));
                for (String file : files.stream().filter(f -> f.startsWith("d")).limit(ALREADY_THERE).toList()) {
                    client.putObject(b -> b.bucket(JOB).key("run/" + file), RequestBody.fromString("older"));
                }
            }
            BackgroundMigration migration = BackgroundMigration.start(temp, temp.resolve(".ferry"), JOB,
                    source.toString(), "s3://" + JOB + "/run", "--operators", "1", "--workers", "2",
                    "--max-files", Integer.toString(MAX_FILES), "--overwrite", "Never",
                    "--endpoint", s3.endpoint().toString(),
                    "--access-key", CREDENTIALS.accessKey(), "--secret-key", CREDENTIALS.secretKey());
            Scrapes scrapes = new Scrapes();
            try (KubernetesClient client = failingFast(migration)) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(150)).ignoreExceptions()
                        .until(() -> scrapeAll(client, scrapes) || migration.isDone());
                // on until the end: the operator's last counts, and the workers' final ones once more
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(150)).ignoreExceptions()
                        .until(() -> migration.isDone() || scrapeAll(client, scrapes) && migration.isDone());
            }

            FerryProcess.Result result = migration.result();
            System.out.printf("ferry migrate of %d files with an operator and 2 worker processes, scraped: %d ms%n",
                    files.size(), result.millis());
            JsonNode summary = new ObjectMapper().readTree(result.stdout());
            assertThat(summary.path("succeeded").asBoolean()).as("a file failed; stderr:%n%s", result.stderr()).isFalse();
            JsonNode status = summary.path("files");
            assertThat(status.path("total").asLong()).isEqualTo(files.size());
            assertThat(status.path("skipped").asLong()).isEqualTo(ALREADY_THERE);
            assertThat(status.path("failed").asLong()).isEqualTo(1);

            assertThat(scrapes.workers).as("worker pods seen").hasSize(2);
            assertThat(scrapes.finalScrapes.keySet()).as("every worker scraped after the copies were counted")
                    .isEqualTo(scrapes.workers);
            assertThat(scrapes.sum("ferry_files_copied_total")).isEqualTo(status.path("copied").asLong());
            assertThat(scrapes.sum("ferry_files_skipped_total")).isEqualTo(ALREADY_THERE);
            assertThat(scrapes.sum("ferry_files_failed_total")).isEqualTo(1);
            assertThat(scrapes.sum("ferry_files_failed_total{code=\"KEY_TOO_LONG\"")).isEqualTo(1);
            assertThat(scrapes.sum("ferry_bytes_copied_total")).isEqualTo(summary.path("bytes").path("copied").asLong());
            assertThat(scrapes.sumWhere("ferry_s3_request_seconds_count{", "operation=\"PutObject\"",
                    "outcome=\"success\"")).as("a PUT per copied small file at least")
                    .isGreaterThanOrEqualTo(SMALL_FILES - ALREADY_THERE);
            assertThat(scrapes.sum("ferry_s3_endpoint_up")).as("one endpoint per worker, up").isEqualTo(2);

            Map<String, Double> operator = scrapes.operator.orElseThrow(() -> new AssertionError("no operator scrape"));
            assertThat(operator.get("ferry_task_handouts_total")).as("the plan and at least one hand-out per copy task")
                    .isGreaterThanOrEqualTo(1 + Math.ceil((double) files.size() / MAX_FILES));
            assertThat(operator.get("ferry_task_takebacks_total{cost=\"takeback\"}")).isZero();
            assertThat(operator.get("ferry_task_takebacks_total{cost=\"attempt\"}")).isZero();
            assertThat(operator).containsKey("ferry_tasks{phase=\"Running\"}");
            assertThat(operator.keySet()).anyMatch(name -> name.startsWith("jvm_memory_used_bytes{"));
        }
    }

    /** A client of the run's API that does not retry: the API goes away with the run, mid-poll. */
    private static KubernetesClient failingFast(BackgroundMigration migration) throws Exception {
        migration.client().close(); // waits for the kubeconfig
        Config config = Config.fromKubeconfig(Files.readString(migration.kubeconfig()));
        config.setRequestRetryBackoffLimit(0);
        config.setRequestTimeout(5_000);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * Scrapes every Ferry pod once; true once a scrape was taken after the job's status counted every
     * planned file (the workers' final counts).
     */
    private boolean scrapeAll(KubernetesClient client, Scrapes scrapes) {
        MigrationJob job = client.resources(MigrationJob.class).inNamespace("default").withName(JOB).get();
        MigrationJobStatus status = job == null ? null : job.getStatus();
        boolean counted = status != null && Boolean.TRUE.equals(status.planned) && status.files.total > 0
                && status.files.done() == status.files.total;
        for (Pod pod : client.pods().inNamespace("default").list().getItems()) {
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            String port = annotations == null ? null : annotations.get(Ferry.METRICS_PORT_ANNOTATION);
            if (port == null) {
                continue;
            }
            String component = pod.getMetadata().getLabels().get(Ferry.COMPONENT_LABEL);
            Optional<Map<String, Double>> samples = scrape(Integer.parseInt(port));
            if (Ferry.COMPONENT_WORKER.equals(component)) {
                scrapes.workers.add(pod.getMetadata().getName());
                if (counted && samples.isPresent()) {
                    scrapes.finalScrapes.put(pod.getMetadata().getName(), samples.get());
                }
            } else if (Ferry.COMPONENT_OPERATOR.equals(component) && samples.isPresent()) {
                scrapes.operator = samples;
            }
        }
        return counted && scrapes.finalScrapes.keySet().containsAll(scrapes.workers);
    }

    /** Sample name with its labels → value; empty when the process is gone already. */
    private Optional<Map<String, Double>> scrape(int port) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            Map<String, Double> samples = new HashMap<>();
            for (String line : response.body().lines().toList()) {
                Matcher sample = SAMPLE.matcher(line);
                if (!line.startsWith("#") && sample.matches()) {
                    samples.put(sample.group(1) + (sample.group(2) == null ? "" : sample.group(2)),
                            Double.parseDouble(sample.group(3)));
                }
            }
            return Optional.of(samples);
        } catch (java.io.IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** What the test saw: the worker pods, each one's final scrape, the operator's last scrape. */
    private static final class Scrapes {
        final Set<String> workers = new TreeSet<>();
        final Map<String, Map<String, Double>> finalScrapes = new HashMap<>();
        Optional<Map<String, Double>> operator = Optional.empty();

        /** The sum over the workers' final scrapes of the samples whose name and labels start so. */
        long sum(String prefix) {
            String name = prefix.contains("{") ? prefix : prefix + "{";
            return sumWhere(name);
        }

        /** As {@link #sum}, of the samples that start with {@code prefix} and contain each of {@code parts}. */
        long sumWhere(String prefix, String... parts) {
            return Math.round(finalScrapes.values().stream().flatMap(s -> s.entrySet().stream())
                    .filter(e -> e.getKey().startsWith(prefix) && List.of(parts).stream().allMatch(e.getKey()::contains))
                    .mapToDouble(Map.Entry::getValue).sum());
        }
    }
}
