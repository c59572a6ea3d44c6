package dev.ferry.worker.metrics;

import dev.ferry.api.FailureCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The outcomes of files as the worker's tasks count them ({@code ferry_files_copied_total},
 * {@code ferry_bytes_copied_total}, {@code ferry_files_skipped_total}, {@code ferry_files_failed_total{code}}),
 * moved at the moment an outcome enters a task's counters, so that over a run the workers' sums are the
 * job's {@code status.files} and {@code status.bytes}. Every counter exists from the start, one per
 * {@link FailureCode} too: a file costs an increment and nothing is allocated or looked up per file.
 * Labelled {@code ferry_job} (namespace/name) rather than {@code job}, which Prometheus sets on every target.
 */
public final class FileMetrics {
    /** Counts nothing: engines built outside a worker process (tests, tools). */
    public static final FileMetrics NONE = new FileMetrics(new CompositeMeterRegistry(), "");

    private final Counter copied;
    private final Counter bytes;
    private final Counter skipped;
    private final Map<FailureCode, Counter> failed = new EnumMap<>(FailureCode.class);

    public FileMetrics(MeterRegistry registry, String job) {
        this.copied = Counter.builder("ferry.files.copied").tag("ferry_job", job)
                .description("Files copied to the store, as counted in the tasks' progress").register(registry);
        this.bytes = Counter.builder("ferry.bytes.copied").tag("ferry_job", job)
                .description("Bytes of the files copied to the store").register(registry);
        this.skipped = Counter.builder("ferry.files.skipped").tag("ferry_job", job)
                .description("Files whose object was already there and identical").register(registry);
        for (FailureCode code : FailureCode.values()) {
            failed.put(code, Counter.builder("ferry.files.failed").tag("ferry_job", job).tag("code", code.name())
                    .description("Files reported failed, by failure code").register(registry));
        }
    }

    public void copied(long fileBytes) {
        copied.increment();
        bytes.increment(fileBytes);
    }

    /** Bytes of a file counted elsewhere (the Parts tasks of one file each count their range). */
    public void bytes(long rangeBytes) {
        bytes.increment(rangeBytes);
    }

    public void skipped() {
        skipped.increment();
    }

    public void failed(FailureCode code) {
        failed.get(code).increment();
    }
}
