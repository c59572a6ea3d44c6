package dev.ferry.e2e.bench;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.worker.plan.SourceWalker;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Planning memory benchmark (a harness, not a test): one directory of {@code entries} empty files, walked
 * as a plan walks it ({@link SourceWalker}: sorted, every entry stat'ed, files cut into tasks of
 * {@code maxFiles} that are dropped once cut) in this JVM, whose heap the caller fixes with {@code -Xmx}.
 * Prints the walk's time and the heap it used. Creating the directory the first time takes a while; it is
 * kept (with a {@code .complete} marker beside it) for the next run.
 *
 * <p>Usage: {@code PlanningMemoryBenchmark [--entries=1000000] [--dir=/tmp/ferry-flat-N]
 * [--in-memory=200000] [--max-files=500]}; {@code e2e/bench/planning-memory.sh} runs it with a fixed heap.
 */
public final class PlanningMemoryBenchmark {
    private PlanningMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("entries", "1000000", "in-memory", "200000",
                "max-files", "500"));
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        int entries = Integer.parseInt(options.get("entries"));
        Path dir = Path.of(options.getOrDefault("dir", "/tmp/ferry-flat-" + entries));
        int inMemory = Integer.parseInt(options.get("in-memory"));
        int maxFiles = Integer.parseInt(options.get("max-files"));
        ensureDirectory(dir, entries);

        AtomicLong peakUsed = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "heap-sampler");
            thread.setDaemon(true); // an OutOfMemoryError in the walk ends the run
            return thread;
        });
        sampler.scheduleAtFixedRate(() -> peakUsed.accumulateAndGet(heapUsed(), Math::max), 0, 20, TimeUnit.MILLISECONDS);
        Path spill = Files.createTempDirectory("ferry-planning-spill");
        long start = System.nanoTime();
        long[] counts = new long[2]; // files, tasks
        List<FileEntry> batch = new ArrayList<>(maxFiles);
        new SourceWalker(dir, SourceWalker.Policy.all(), inMemory, spill).walk("", () -> null, new SourceWalker.Visitor() {
            @Override
            public void file(FileEntry entry) {
                counts[0]++;
                batch.add(entry);
                if (batch.size() == maxFiles) {
                    counts[1]++;
                    batch.clear();
                }
            }

            @Override
            public boolean enter(String relativePath, int children) {
                return true;
            }

            @Override
            public void skipped(String relativePath, FailureCode code, String detail) {
            }

            @Override
            public void unreadableDirectory(String relativePath, IOException cause) {
                throw new IllegalStateException("cannot list " + relativePath, cause);
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.shutdown();
        sampler.awaitTermination(1, TimeUnit.SECONDS);
        if (counts[0] != entries) {
            throw new IllegalStateException("walked " + counts[0] + " files, expected " + entries);
        }
        System.out.printf(Locale.ROOT, """
                Ferry planning memory benchmark: one directory of %,d empty files
                  walk:  %,d files (%,d tasks of %d) in %.1f s = %,.0f entries/s; %d names in memory per listing at most
                  heap:  max %d MiB (-Xmx), peak %.0f MiB used, %.0f MiB after the last collection
                %n""", entries, counts[0], counts[1] + (batch.isEmpty() ? 0 : 1), maxFiles, seconds, counts[0] / seconds,
                inMemory, Runtime.getRuntime().maxMemory() >> 20, peakUsed.get() / 1048576.0, afterGc() / 1048576.0);
        Files.deleteIfExists(spill);
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long afterGc() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }

    private static void ensureDirectory(Path dir, int entries) throws IOException {
        Path complete = dir.resolveSibling(dir.getFileName() + ".complete");
        if (Files.exists(complete)) {
            return;
        }
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "creating %,d empty files in %s (kept for the next run)%n", entries, dir);
        for (int i = 0; i < entries; i++) {
            Path file = dir.resolve(String.format(Locale.ROOT, "f%09d", i));
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        }
        Files.createFile(complete);
    }
}
