package dev.ferry.operator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/**
 * How often the jobs are reconciled and how long one reconcile takes. A reconcile looks at all of a job's
 * task objects, so its time grows with {@code maxActive}; the count says how many events each one folded
 * together (many task changes arriving during one reconcile cause one more, not one each).
 */
public final class ReconcileMetrics {
    private final Timer reconciles;

    public ReconcileMetrics(MeterRegistry registry) {
        this.reconciles = Timer.builder("ferry.job.reconcile")
                .description("Reconciles of MigrationJobs (all jobs), successful or not, and their duration")
                .register(registry);
    }

    /** Runs one reconcile and records its duration, also when it throws. */
    public <T> T timed(Supplier<T> reconcile) {
        return reconciles.record(reconcile);
    }
}
