package dev.ferry.e2e.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real operator ({@code dev.ferry.operator.OperatorMain}) in a JVM of its own with a fixed heap, as
 * the chart runs it, against a kubeconfig. Its GC log tells how much heap it used: the largest occupancy
 * before a collection (the peak, garbage included) and the largest after one (what it really holds).
 * It exits on OutOfMemoryError, so a heap too small for the load ends the benchmark.
 */
final class OperatorProcess implements AutoCloseable {
    /** {@code ... Pause Young (Allocation Failure) 45M->12M(247M) 3.456ms} and the like, in any unit. */
    private static final Pattern GC_LINE = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /** {@code ferry_job_reconcile_seconds_count 123.0}: a sample line of the Prometheus text format. */
    private static final Pattern SAMPLE = Pattern.compile("^(ferry_job_reconcile_seconds_(?:count|sum)) (\\S+)$", Pattern.MULTILINE);

    private final Process process;
    private final Path gcLog;
    private final Path log;
    private final int metricsPort;

    private OperatorProcess(Process process, Path gcLog, Path log, int metricsPort) {
        this.process = process;
        this.gcLog = gcLog;
        this.log = log;
        this.metricsPort = metricsPort;
    }

    static OperatorProcess start(Path kubeconfig, String maxHeap, Path dir, Map<String, String> env) throws IOException {
        Path gcLog = dir.resolve("operator-gc.log");
        Path log = dir.resolve("operator.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-Xms64m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-Xlog:gc:file=" + gcLog,
                // the operator's own logging configuration (INFO), not the test classpath's
                "-Dlogback.configurationFile=logback.xml", "-DFERRY_LOG_LEVEL=INFO",
                "-cp", System.getProperty("java.class.path"),
                "dev.ferry.operator.OperatorMain"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.startsWith("FERRY_"));
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        builder.environment().putAll(env);
        int metricsPort = freePort();
        builder.environment().put("FERRY_METRICS_PORT", Integer.toString(metricsPort));
        return new OperatorProcess(builder.start(), gcLog, log, metricsPort);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The reconciles of all jobs so far, from the operator's metrics endpoint. */
    Reconciles reconciles() throws IOException, InterruptedException {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> samples = new HashMap<>();
        Matcher m = SAMPLE.matcher(body);
        while (m.find()) {
            samples.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return new Reconciles(samples.getOrDefault("ferry_job_reconcile_seconds_count", 0.0).longValue(),
                samples.getOrDefault("ferry_job_reconcile_seconds_sum", 0.0));
    }

    /** How many reconciles, and the seconds they took together. */
    record Reconciles(long count, double seconds) {
        Reconciles since(Reconciles earlier) {
            return new Reconciles(count - earlier.count, seconds - earlier.seconds);
        }

        double meanMillis() {
            return count == 0 ? 0 : seconds * 1000 / count;
        }
    }

    long pid() {
        return process.pid();
    }

    /** CPU time the operator process has used so far, in seconds. */
    double cpuSeconds() {
        return process.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
    }

    void assertAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the operator exited with code " + process.exitValue()
                    + " (OutOfMemoryError exits too); see " + log);
        }
    }

    Path log() {
        return log;
    }

    /** Heap figures in MiB from the GC log: {peak before a collection, largest after one, committed}. */
    HeapUse heapUse() throws IOException {
        long before = 0;
        long after = 0;
        long committed = 0;
        if (Files.exists(gcLog)) {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find()) {
                    before = Math.max(before, kib(m.group(1), m.group(2)));
                    after = Math.max(after, kib(m.group(3), m.group(4)));
                    committed = Math.max(committed, kib(m.group(5), m.group(6)));
                }
            }
        }
        return new HeapUse(before / 1024.0, after / 1024.0, committed / 1024.0);
    }

    record HeapUse(double peakMiB, double maxLiveMiB, double committedMiB) {
    }

    private static long kib(String value, String unit) {
        long v = Long.parseLong(value);
        return switch (unit) {
            case "K" -> v;
            case "M" -> v * 1024;
            default -> v * 1024 * 1024;
        };
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
