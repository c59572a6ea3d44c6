package dev.ferry.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * On a machine (or in a pod) with one or two CPUs, a Ferry process completes async stages on the common
 * pool's threads, not on a new thread each. Run in a JVM of its own that believes it has that many CPUs,
 * since the pool is set once per JVM.
 */
class JvmDefaultsTest {
    @Test
    void asyncStagesRunOnTheCommonPoolWithOneOrTwoCpus() throws Exception {
        for (int cpus : List.of(1, 2)) {
            assertThat(probe(cpus)).as("with %d CPU(s)", cpus).isEqualTo("parallelism=2 pooled=true");
        }
    }

    @Test
    void keepsWhatTheJvmWasToldAndWhatMoreCpusGive() throws Exception {
        assertThat(probe(2, "-D" + JvmDefaults.COMMON_POOL_PARALLELISM + "=3")).isEqualTo("parallelism=3 pooled=true");
        assertThat(probe(8)).isEqualTo("parallelism=7 pooled=true");
    }

    @Test
    void withoutItAJvmOnTwoCpusStartsAThreadPerStage() throws Exception {
        assertThat(probe(2, "-Dprobe.skipDefaults=true")).isEqualTo("parallelism=1 pooled=false");
    }

    private static String probe(int cpus, String... options) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ActiveProcessorCount=" + cpus, "-cp", System.getProperty("java.class.path")));
        command.addAll(List.of(options));
        command.add(Probe.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    /** A process's main as Ferry's are: the defaults first, then an async stage. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            if (!Boolean.getBoolean("probe.skipDefaults")) {
                JvmDefaults.apply();
            }
            String thread = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName()).get();
            System.out.println("parallelism=" + ForkJoinPool.getCommonPoolParallelism() + " pooled="
                    + thread.startsWith("ForkJoinPool.commonPool"));
        }
    }
}
