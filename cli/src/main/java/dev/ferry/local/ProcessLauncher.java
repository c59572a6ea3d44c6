package dev.ferry.local;

import dev.ferry.api.Ferry;
import dev.ferry.worker.jit.OptimisingCompilerScope;
import dev.ferry.worker.source.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a Ferry component (a worker, an operator replica) as a separate OS process from the
 * same classpath as this JVM, so that killing it is a real crash and not a thread interruption. The
 * process ends with this one ({@link LocalProcessMain}, {@link ParentProcess}).
 */
public final class ProcessLauncher {
    static final String LC_ALL = "LC_ALL";
    /** glibc's built-in UTF-8 locale (Debian, Ubuntu, glibc 2.35+ everywhere); the worker checks it took. */
    static final String UTF8_LOCALE = "C.UTF-8";

    private final Path kubeconfig;
    private final List<String> jvmOptions;
    private final ClassArchives archives;

    /** {@code jvmOptions} go to every process, before the component's own. */
    public ProcessLauncher(Path kubeconfig, List<String> jvmOptions) {
        this(kubeconfig, jvmOptions, ClassArchives.NONE);
    }

    /** As above; each process starts with (or writes) the class data archive of its main class in {@code archives}. */
    ProcessLauncher(Path kubeconfig, List<String> jvmOptions, ClassArchives archives) {
        this.kubeconfig = kubeconfig;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.archives = archives;
    }

    /**
     * JVM options of a component's process: bounded heaps (a worker's buffers are bounded), exit on
     * OOM as a container would, and the component's log configuration (the output goes to the pod's
     * log file). The operator compiles with C1 only: it is control plane, never CPU-bound, and C2
     * compiling Fabric8/JOSDK/Jackson code took half of its CPU in profiles of a local run — CPU the
     * workers and the store need on a small machine. Workers keep C2: only it has the SHA-256 and MD5
     * intrinsics that hashing every byte relies on (C1: SHA-256 ~10x slower, MD5 1.7x). Measured with the
     * benchmark (issue 13, 2 cores): a C1-only worker used a quarter less CPU on 50,000 small files, but a quarter
     * more on 4 files of 1 GiB, where its MD5 passes dominate; {@code FERRY_WORKER_JAVA_OPTS} chooses. A local
     * worker's C2 compiles the digests only, though ({@link #environmentFor}).
     */
    public static List<String> jvmOptionsFor(String component) {
        return jvmOptionsFor(component, System.getenv());
    }

    /**
     * As {@link #jvmOptionsFor(String)}, followed by the whitespace-separated options of
     * {@code FERRY_WORKER_JAVA_OPTS} or {@code FERRY_OPERATOR_JAVA_OPTS} in {@code env} (later options
     * win in the JVM: a larger heap, a profiler, a flight recording).
     */
    static List<String> jvmOptionsFor(String component, Map<String, String> env) {
        List<String> options = new ArrayList<>();
        if (Ferry.COMPONENT_OPERATOR.equals(component)) {
            options.addAll(List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-XX:+ExitOnOutOfMemoryError", "-DFERRY_LOG_LEVEL=INFO"));
        } else {
            options.addAll(List.of("-Xms64m", "-Xmx1g", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError",
                    "-Dlogback.configurationFile=ferry-worker-logback.xml"));
        }
        String extra = env.get(extraOptionsVariable(component));
        if (extra != null && !extra.isBlank()) {
            options.addAll(List.of(extra.strip().split("\\s+")));
        }
        return List.copyOf(options);
    }

    /**
     * The environment of a component's process: the pod's, and for a worker {@code FERRY_WORKER_C2=digests} unless
     * the pod or the caller names a scope. A local worker lives for one run, where C2 compiling every hot method
     * costs more than it saves up to about 200,000 small files ({@link OptimisingCompilerScope}); a longer run
     * saves worker CPU with {@code FERRY_WORKER_C2=all}. A caller whose JVM does not decode file names as UTF-8
     * (no {@code LANG}, as under cron, or the POSIX locale) starts its processes with {@code LC_ALL=C.UTF-8},
     * unless the pod sets {@code LC_ALL}: a worker reads the source by name, and the JDK takes the names'
     * charset from the locale ({@link FileNames#requireUtf8}).
     */
    static Map<String, String> environmentFor(String component, Map<String, String> podEnv,
                                              Map<String, String> callerEnv) {
        return environmentFor(component, podEnv, callerEnv, System.getProperty(FileNames.CHARSET_PROPERTY));
    }

    static Map<String, String> environmentFor(String component, Map<String, String> podEnv,
                                              Map<String, String> callerEnv, String callerFileNameCharset) {
        Map<String, String> env = new HashMap<>(podEnv);
        if (!Ferry.COMPONENT_OPERATOR.equals(component) && !podEnv.containsKey(OptimisingCompilerScope.ENV)
                && !callerEnv.containsKey(OptimisingCompilerScope.ENV)) {
            env.put(OptimisingCompilerScope.ENV, OptimisingCompilerScope.DIGESTS_ONLY);
        }
        if (!FileNames.isUtf8(callerFileNameCharset) && !podEnv.containsKey(LC_ALL)) {
            env.put(LC_ALL, UTF8_LOCALE);
        }
        return env;
    }

    /** {@code FERRY_WORKER_JAVA_OPTS} for a worker, {@code FERRY_OPERATOR_JAVA_OPTS} for an operator. */
    static String extraOptionsVariable(String component) {
        return Ferry.COMPONENT_OPERATOR.equals(component) ? "FERRY_OPERATOR_JAVA_OPTS" : "FERRY_WORKER_JAVA_OPTS";
    }

    public Process start(String mainClass, List<String> componentJvmOptions, Map<String, String> env, Path logFile)
            throws IOException {
        Files.createDirectories(logFile.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> options = new ArrayList<>(jvmOptions);
        options.addAll(componentJvmOptions);
        ClassArchives.Launch archive = archives.launch(mainClass, options);
        command.addAll(archive.jvmOptions());
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LocalProcessMain.class.getName());
        command.add(mainClass);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        // The child talks to the local API only: no cluster settings of the caller leak in.
        environment.keySet().removeIf(k -> k.startsWith("KUBERNETES_") || k.equals("KUBECONFIG"));
        environment.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
        environment.putAll(ParentProcess.environment());
        environment.putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            archive.exited().accept(-1);
            throw e;
        }
        process.onExit().thenRun(() -> archive.exited().accept(process.exitValue()));
        return process;
    }
}
