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
 * Which methods of the worker the JIT's optimising compiler (C2) may compile: by default only the digests (MD5
 * and SHA-256, {@code sun.security.provider}); every other method stays with C1.
 *
 * <p>Why: on a tree of small files the worker's C2 compilations cost about a quarter of its CPU (a JFR of
 * 25,000 files: 11,448 compilations, 20 s of compiler time), for code that runs a few thousand times each and
 * gains little from C2; C1 alone cuts the worker's CPU by a quarter there. But C1 has no MD5 intrinsic (1.29 s
 * per GiB hashed with C2, 2.17 s with C1), so C1 alone makes large files an eighth slower. Keeping C2 for the
 * digest classes only gets both: measured with alternating runs on 2 cores against S3Proxy (README,
 * Benchmarks), 25,000 small files 16.4–16.9 s against 19.8–22.7 s with the JVM's default (worker and CLI
 * CPU 20 against 27–31 CPU-s), and 4 files of 1 GiB 25.4–30.3 s against 26.3–36.1 s.
 *
 * <p>Applied as the worker starts, through the JVM's DiagnosticCommand MBean (what {@code jcmd
 * Compiler.directives_add} does), so that it needs no JVM option in the image, the chart or the local mode.
 * {@code FERRY_WORKER_C2=all} keeps the JVM's default. A JVM without the MBean (a trimmed runtime) runs with
 * its default, with a warning.
 */
public final class OptimisingCompilerScope {
    private static final Logger LOG = LoggerFactory.getLogger(OptimisingCompilerScope.class);
    public static final String ENV = "FERRY_WORKER_C2";
    static final String DIRECTIVES = "c2-digests-only.json";

    /** What C2 may compile. */
    public enum Scope { DIGESTS, ALL }

    private OptimisingCompilerScope() {
    }

    /** {@code FERRY_WORKER_C2}: {@code digests} (the default, also when unset) or {@code all}. */
    public static Scope scope(Map<String, String> env) {
        String value = env.get(ENV);
        if (value == null || value.isBlank()) {
            return Scope.DIGESTS;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "digests":
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
