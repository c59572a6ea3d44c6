package dev.ferry.api.runtime;

/**
 * What every Ferry process (CLI, operator, worker) sets about its JVM before anything else runs.
 *
 * <p>The common ForkJoinPool's parallelism defaults to the CPU count minus one. Below 2, as on a 2-core
 * machine or in a pod limited to 1 or 2 CPUs, {@code CompletableFuture}'s async stages that name no
 * executor start a new thread for every stage, and the Kubernetes client (over the JDK's HTTP client)
 * completes every response that way: one `ferry migrate` of 50,000 small files started 2,036 threads in
 * the CLI and 1,074 in its worker. With a parallelism of 2 those stages run on the common pool's threads,
 * as they do on any machine of 3 or more CPUs. (On the small benchmark the CPU used did not change
 * measurably, 76.1 against 76.4 CPU-s: thread starts are cheap next to the requests; the point is that a
 * worker in a 1-CPU pod behaves as it does everywhere else.)
 */
public final class JvmDefaults {
    static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
    /** The least parallelism at which CompletableFuture uses the common pool rather than a thread per stage. */
    static final int POOLED = 2;

    private JvmDefaults() {
    }

    /**
     * Call first in {@code main}, before anything touches ForkJoinPool or CompletableFuture: the pool reads
     * the property once. An operator's own {@code -D} setting is kept.
     */
    public static void apply() {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null
                && Runtime.getRuntime().availableProcessors() - 1 < POOLED) {
            System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(POOLED));
        }
    }
}
