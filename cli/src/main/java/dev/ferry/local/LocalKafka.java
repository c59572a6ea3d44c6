package dev.ferry.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The local mode's Kafka: a real single-node KRaft broker (broker and controller in one) as a process
 * of its own, started from this JVM's classpath like the worker pods, on 127.0.0.1. Its data
 * ({@code data/}), configuration ({@code server.properties}) and log ({@code kafka.log}) live in the
 * work directory. {@link #kill()} is a real crash and {@link #restart()} brings the same broker back on
 * the same port with the same data, so tests can take Kafka away from the workers and return it.
 */
public final class LocalKafka implements AutoCloseable {
    /** How long {@link #start} and {@link #restart} wait for the broker to answer. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Between SIGTERM and SIGKILL: a broker's controlled shutdown takes a few seconds. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    static final String MAIN_CLASS = KafkaBrokerMain.class.getName();
    static final String JAVA_OPTS_VARIABLE = "FERRY_KAFKA_JAVA_OPTS";
    private static final int LOG_TAIL_LINES = 40;
    private static final int PROBE_TIMEOUT_MS = 1000;

    private final Path workDir;
    private final KafkaBrokerConfig config;
    private final String clusterId = Uuid.randomUuid().toString();
    private Process process;
    private Duration lastStartTime;

    private LocalKafka(Path workDir, KafkaBrokerConfig config) {
        this.workDir = workDir;
        this.config = config;
    }

    /**
     * Starts a broker on 127.0.0.1:{@code port} (0 picks a free port) with its files under {@code workDir},
     * and returns once it answers. Data already in {@code workDir} (a broker of an earlier run) is kept.
     */
    public static LocalKafka start(Path workDir, int port) throws IOException {
        Files.createDirectories(workDir);
        int brokerPort = port == 0 ? freePort() : port;
        LocalKafka kafka = new LocalKafka(workDir.toAbsolutePath(),
                new KafkaBrokerConfig(brokerPort, freePort(), workDir.toAbsolutePath().resolve("data")));
        kafka.launchAndAwait();
        return kafka;
    }

    /**
     * {@link #start} on another thread, for a caller with more to start: the broker's JVM warms up
     * meanwhile. The future fails with the start's exception. A thread of its own: the start waits
     * seconds for the broker, which the common pool's few threads are not for.
     */
    public static CompletableFuture<LocalKafka> startAsync(Path workDir, int port) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return start(workDir, port);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, starter -> new Thread(starter, "local-kafka-start").start());
    }

    /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return KafkaBrokerConfig.HOST + ":" + config.brokerPort();
    }

    public int port() {
        return config.brokerPort();
    }

    /** The broker's own log (stdout and stderr of every start, appended). */
    public Path logFile() {
        return workDir.resolve("kafka.log");
    }

    public Path workDir() {
        return workDir;
    }

    /** The broker process's id; -1 before the first start. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** From launching the process to the broker's first answer, for the latest start. */
    public synchronized Duration lastStartTime() {
        return lastStartTime;
    }

    /**
     * Creates {@code topic} (one partition) unless it exists. Topics are also created on first use; one
     * created ahead spares the first producer a round of "unknown topic" warnings and retries.
     */
    public void createTopic(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic + " on " + bootstrapServers(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + topic + " on " + bootstrapServers() + ": timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        }
    }

    /** Stops the broker as an orchestrator would (SIGTERM, a controlled shutdown) and waits for the process to end. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Kills the broker process (SIGKILL): a real crash, nothing flushed or closed. */
    public synchronized void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the broker again on the same port with the same data (stopping it first if it runs) and
     * returns once it answers.
     */
    public synchronized void restart() throws IOException {
        stop();
        launchAndAwait();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * The command that prints every record of {@code topic} with its key and headers, with the console
     * consumer that this classpath carries: {@code java -cp <ferry jar> ...ConsoleConsumer ...}.
     */
    public String consoleConsumerCommand(String topic) {
        return "java -cp " + classpathForHumans() + " org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "
                + bootstrapServers() + " --topic " + topic
                + " --from-beginning --formatter-property print.key=true --formatter-property print.headers=true";
    }

    private static String classpathForHumans() {
        String classpath = System.getProperty("java.class.path");
        return classpath.contains(java.io.File.pathSeparator) ? "cli/target/ferry.jar"
                : Path.of(classpath).toAbsolutePath().normalize().toString();
    }

    private synchronized void launchAndAwait() throws IOException {
        Path configFile = config.writeTo(workDir.resolve("server.properties"));
        Instant started = Instant.now();
        process = launch(configFile);
        try {
            awaitAnswer(started.plus(START_TIMEOUT));
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        lastStartTime = Duration.between(started, Instant.now());
    }

    private Process launch(Path configFile) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions(System.getenv()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MAIN_CLASS);
        command.add(configFile.toString());
        command.add(clusterId);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().remove("KAFKA_OPTS");
        builder.environment().putAll(ParentProcess.environment());
        return builder.start();
    }

    /**
     * A development broker's JVM: a small heap, C1 only and the serial collector (start-up time counts
     * more than peak throughput here: CI starts brokers several times), its own logging configuration
     * (everything to the log file), then the options of {@code FERRY_KAFKA_JAVA_OPTS}.
     */
    static List<String> jvmOptions(Map<String, String> env) {
        List<String> options = new ArrayList<>(List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
                "-Dlogback.configurationFile=ferry-kafka-logback.xml"));
        String extra = env.get(JAVA_OPTS_VARIABLE);
        if (extra != null && !extra.isBlank()) {
            options.addAll(List.of(extra.strip().split("\\s+")));
        }
        return options;
    }

    /**
     * Waits until the broker answers a describeCluster. The Admin client is created only once the port
     * accepts connections, so that a starting broker does not fill the caller's log with refused
     * connections.
     */
    private void awaitAnswer(Instant deadline) {
        Exception lastError = null;
        Admin admin = null;
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw failure("the broker process exited with code " + process.exitValue(), null);
                }
                if (Instant.now().isAfter(deadline)) {
                    throw failure("it did not answer within " + START_TIMEOUT.toSeconds() + " s", lastError);
                }
                if (admin == null && acceptsConnections()) {
                    admin = probe();
                }
                if (admin != null) {
                    try {
                        if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(PROBE_TIMEOUT_MS)).nodes()
                                .get(PROBE_TIMEOUT_MS + 500, TimeUnit.MILLISECONDS).isEmpty()) {
                            return;
                        }
                    } catch (ExecutionException | TimeoutException e) {
                        lastError = e;
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for it", e);
        } finally {
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
            }
        }
    }

    /**
     * An Admin client with short timeouts: the broker binds its port some time before it reads from
     * it, and a request sent into that gap should be given up and sent again soon.
     */
    private Admin probe() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "ferry-local-kafka-probe",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, PROBE_TIMEOUT_MS / 2,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, PROBE_TIMEOUT_MS,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 200,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200));
    }

    private boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(KafkaBrokerConfig.HOST, config.brokerPort()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private IllegalStateException failure(String reason, Exception cause) {
        return new IllegalStateException("Kafka broker on " + bootstrapServers() + " did not start: " + reason
                + (cause == null ? "" : " (last error: " + cause.getMessage() + ")")
                + "; last lines of " + logFile() + ":\n" + logTail(), cause);
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read it: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
