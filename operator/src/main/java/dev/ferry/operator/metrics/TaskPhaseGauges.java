package dev.ferry.operator.metrics;

import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskPhase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code ferry_tasks{phase}}: the MigrationTasks of all watched jobs by phase, counted in the operator's
 * informer cache — a scrape costs no API call. One pass over the cache serves the gauges of all phases of
 * one scrape (they are read one after the other). Succeeded tasks leave the cache when they are folded into
 * their job's history, so {@code Succeeded} counts the unfolded ones only. NaN while the cache cannot be
 * read (an operator that is not the leader has not started its informers).
 */
public final class TaskPhaseGauges {
    /** Gauges of one scrape are read well within this; a later scrape counts again. */
    private static final long RECOUNT_NANOS = Duration.ofSeconds(1).toNanos();
    /** A phase is known only once a worker or the operator wrote one: count a task without one as Pending. */
    private static final TaskPhase NO_PHASE = TaskPhase.Pending;

    private final Supplier<Stream<MigrationTask>> cache;
    private long countedAt;
    private double[] counts;

    /** @param cache the tasks in the informer cache; may throw while the cache does not exist yet */
    public TaskPhaseGauges(MeterRegistry registry, Supplier<Stream<MigrationTask>> cache) {
        this.cache = cache;
        for (TaskPhase phase : TaskPhase.values()) {
            Gauge.builder("ferry.tasks", this, gauges -> gauges.count(phase))
                    .tag("phase", phase.name())
                    .strongReference(true)
                    .description("MigrationTasks by phase in the operator's cache (Succeeded: not yet folded)")
                    .register(registry);
        }
    }

    synchronized double count(TaskPhase phase) {
        long now = System.nanoTime();
        if (counts == null || now - countedAt > RECOUNT_NANOS) {
            counts = countAll();
            countedAt = now;
        }
        return counts[phase.ordinal()];
    }

    private double[] countAll() {
        double[] byPhase = new double[TaskPhase.values().length];
        try (Stream<MigrationTask> tasks = cache.get()) {
            tasks.forEach(task -> {
                TaskPhase phase = task.getStatus() == null || task.getStatus().phase == null ? NO_PHASE
                        : task.getStatus().phase;
                byPhase[phase.ordinal()]++;
            });
        } catch (RuntimeException e) {
            Arrays.fill(byPhase, Double.NaN);
        }
        return byPhase;
    }
}
