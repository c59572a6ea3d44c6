package dev.ferry.worker.jit;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which methods of the worker the JIT's optimising compiler (C2) may compile: every hot one (the JVM's default,
 * {@code FERRY_WORKER_C2=all}, and the default here), or only the digests ({@code digests}: MD5 and SHA-256,
 * {@code sun.security.provider}), every other method then staying with C1.
 *
 * <p>A trade between a run's start and its long haul, measured on 2 cores against S3Proxy with alternating runs:
 * C2 compiling the SDK, the HTTP client, Fabric8 and Jackson costs about a quarter of a fresh worker's CPU in its
 * first half minute (a JFR of 25,000 small files: 11,448 compilations, 20 s of compiler time), so {@code digests}
 * ran 25,000 small files in 15.8–17.1 s against 18.7–21.2 s (client CPU 18–20 against 25–29 CPU-s), and the
 * benchmark's small and mixed profiles 11 % and 8 % faster. But warm, C1 code costs more per file: over 200,000
 * small files the two were even (85 against 88 s, the same worker CPU in all), with 203 against 166 µs of worker
 * CPU per file once warm. Digests keep C2 because C1 has no MD5 intrinsic (1.29 s per GiB hashed with C2, 2.17 s
 * with C1): C1 alone makes large files an eighth slower, {@code digests} does not.
 *
 * <p>So a worker on a cluster, a Deployment that runs for hours, keeps the JVM's default; the local mode, whose
 * workers live for one {@code ferry migrate}, starts them with {@code digests} (see the CLI's ProcessLauncher).
 *
 * <p>Applied as the worker starts, through the JVM's DiagnosticCommand MBean (what {@code jcmd
 * Compiler.directives_add} does), so it needs no JVM option. A JVM without the MBean (a trimmed runtime) runs
 * with its default, with a warning.
 */
public final class OptimisingCompilerScope {
    private static final Logger LOG = LoggerFactory.getLogger(OptimisingCompilerScope.class);
    public static final String ENV = "FERRY_WORKER_C2";
    public static final String DIGESTS_ONLY = "digests";
    static final String DIRECTIVES = "c2-digests-only.json";

    /** What C2 may compile. */
    public enum Scope { DIGESTS, ALL }

    private OptimisingCompilerScope() {
    }

    /** {@code FERRY_WORKER_C2}: {@code all} (the default, also when unset) or {@code digests}. */
    public static Scope scope(Map<String, String> env) {
        String value = env.get(ENV);
        if (value == null || value.isBlank()) {
            return Scope.ALL;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case DIGESTS_ONLY:
                return Scope.DIGESTS;
            case "all":
                return Scope.ALL;
            default:
                throw new IllegalArgumentException(ENV + " must be 'digests' or 'all', not '" + value + "'");
        }
    }

    /**
     * Call first in {@code main}: methods compiled before the directives are added keep their code.
     * Returns whether C2 was limited.
     */
    public static boolean apply(Scope scope) {
        if (scope == Scope.ALL) {
            return false;
        }
        Path file = null;
        try (InputStream directives = OptimisingCompilerScope.class.getResourceAsStream(DIRECTIVES)) {
            if (directives == null) {
                throw new IllegalStateException(DIRECTIVES + " is missing from the worker's jar");
            }
            // The diagnostic command reads a file, not a string.
            file = Files.createTempFile("ferry-c2-", ".json");
            Files.copy(directives, file, StandardCopyOption.REPLACE_EXISTING);
            Object answer = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            LOG.debug("C2 limited to the digests: {}", String.valueOf(answer).trim());
            return String.valueOf(answer).contains("added");
        } catch (IOException | JMException | RuntimeException e) {
            LOG.warn("cannot limit C2 to the digests ({}); the JVM compiles with its defaults", e.toString());
            return false;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}", file, e);
                }
            }
        }
    }

    /** The JVM's compiler directives as it prints them ({@code jcmd Compiler.directives_print}). */
    static String printed() throws JMException {
        return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
    }
}
