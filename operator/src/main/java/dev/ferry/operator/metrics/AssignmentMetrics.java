package dev.ferry.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * Hand-outs and take-backs as the operator writes them: {@code ferry_task_handouts_total} (a task given to a
 * worker, under a new epoch) and {@code ferry_task_takebacks_total{cost}} (a task taken from a holder that
 * died, was drained or stalled; {@code cost} says whether it used one of the task's attempts). A straggler
 * moved to an idle worker is no take-back (it costs nothing, see TakeBack); its new hand-out is counted.
 * Summed over all jobs: a job label would grow with every job the operator ever saw.
 */
public final class AssignmentMetrics {
    /** Counts nothing: operators built by tests. */
    public static final AssignmentMetrics NONE = new AssignmentMetrics(new CompositeMeterRegistry());

    private final Counter handOuts;
    private final Counter takebacks;
    private final Counter attempts;

    public AssignmentMetrics(MeterRegistry registry) {
        this.handOuts = Counter.builder("ferry.task.handouts")
                .description("Tasks handed out to a worker").register(registry);
        this.takebacks = takeBacks(registry, "takeback");
        this.attempts = takeBacks(registry, "attempt");
    }

    private static Counter takeBacks(MeterRegistry registry, String cost) {
        return Counter.builder("ferry.task.takebacks").tag("cost", cost)
                .description("Tasks taken back from a dead, drained or stalled holder; cost: whether it used an attempt")
                .register(registry);
    }

    public void handedOut() {
        handOuts.increment();
    }

    /** @param attemptUsed the holder had moved nothing for too long: one of the task's attempts is used */
    public void takenBack(boolean attemptUsed) {
        (attemptUsed ? attempts : takebacks).increment();
    }
}
