package dev.ferry.operator.config;

import dev.ferry.api.WorkersSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How an operator instance runs: what it watches, which worker image it deploys, and the timings of
 * assignment. Immutable; {@code with...} methods return a changed copy.
 *
 * @param namespaces namespaces to watch; empty watches all namespaces
 * @param workerImage image of the worker Deployment unless a job names its own
 * @param defaultWorkerReplicas workers of a job whose spec has no {@code workers} section
 * @param leaderElection whether to take the {@code ferry-operator} Lease before reconciling
 * @param leaseNamespace namespace of the Lease; null means the client's namespace
 * @param exitOnStopLeading exit the JVM when leadership is lost (false inside tests)
 * @param clock time source of assignment, backoff and status timestamps
 * @param prefetchPerWorker most active (Assigned + Running) Copy and Parts tasks handed to one worker; it may
 *                          hold one Plan task besides (see {@code TaskAssigner})
 * @param notReadyGrace how long a worker pod may be not Ready before its tasks are taken back
 * @param leaseStartupGrace how long a Ready worker may go without its Lease (the first one is created
 *        as the worker starts) before it counts as dead; expired Leases are judged by their own duration
 * @param recheckInterval how soon an unfinished job is looked at again without any event
 * @param invalidSpecRecheck how soon a job with an invalid spec is looked at again (a Secret may appear)
 * @param workerServiceAccount ServiceAccount of the worker pods (in each job's namespace); null leaves the
 *        namespace's default
 * @param disruptionGrace a holder taken back after holding a task for less than this did not get a chance: no
 *        attempt is used even though it moved nothing (see {@code TakeBack})
 * @param destinationProbeInterval while a job's destination is unavailable, how often one task is handed out to
 *        probe it (one at a time)
 * @param stragglerWait how long a task may sit Assigned behind a running task of its worker while another worker
 *        of the job is idle before it is moved to that one
 * @param workerPodDefaults what every worker pod gets unless its job's spec.workers says otherwise (the chart's
 *        workers.* values)
 * @param hungWorkerGrace how long a live worker pod's Lease may stay expired before the pod is deleted, so that
 *        its Deployment replaces a hung or stopped process (its tasks were taken back at the expiry)
 */
public record OperatorSettings(
        Set<String> namespaces,
        String workerImage,
        int defaultWorkerReplicas,
        boolean leaderElection,
        String leaseNamespace,
        boolean exitOnStopLeading,
        Clock clock,
        int prefetchPerWorker,
        Duration notReadyGrace,
        Duration leaseStartupGrace,
        Duration recheckInterval,
        Duration invalidSpecRecheck,
        String workerServiceAccount,
        Duration disruptionGrace,
        Duration destinationProbeInterval,
        Duration stragglerWait,
        WorkerPodDefaults workerPodDefaults,
        Duration hungWorkerGrace) {

    public static final String LEASE_NAME = "ferry-operator";
    public static final String DEFAULT_WORKER_IMAGE = "ferry/worker:0.1.0";
    /** The worker's default Lease duration: a worker that never renews is as dead as one that stopped. */
    public static final Duration DEFAULT_LEASE_STARTUP_GRACE = Duration.ofSeconds(15);
    public static final Duration DEFAULT_DISRUPTION_GRACE = Duration.ofMinutes(2);
    public static final Duration DEFAULT_DESTINATION_PROBE_INTERVAL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_STRAGGLER_WAIT = Duration.ofSeconds(10);
    /** On top of the Lease's 15 s: a worker that has not renewed for 45 s is not merely slow. */
    public static final Duration DEFAULT_HUNG_WORKER_GRACE = Duration.ofSeconds(30);

    public OperatorSettings {
        namespaces = Set.copyOf(namespaces);
        Objects.requireNonNull(workerImage, "workerImage");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(notReadyGrace, "notReadyGrace");
        Objects.requireNonNull(leaseStartupGrace, "leaseStartupGrace");
        Objects.requireNonNull(disruptionGrace, "disruptionGrace");
        Objects.requireNonNull(destinationProbeInterval, "destinationProbeInterval");
        Objects.requireNonNull(stragglerWait, "stragglerWait");
        Objects.requireNonNull(workerPodDefaults, "workerPodDefaults");
        Objects.requireNonNull(hungWorkerGrace, "hungWorkerGrace");
        if (hungWorkerGrace.isNegative()) {
            throw new IllegalArgumentException("hungWorkerGrace must not be negative");
        }
        if (prefetchPerWorker < 1) {
            throw new IllegalArgumentException("prefetchPerWorker must be at least 1");
        }
        if (defaultWorkerReplicas < 0) {
            throw new IllegalArgumentException("defaultWorkerReplicas must not be negative");
        }
    }

    public static OperatorSettings defaults() {
        return new OperatorSettings(Set.of(), DEFAULT_WORKER_IMAGE, WorkersSpec.DEFAULT_REPLICAS, false, null, true,
                Clock.systemUTC(), 2, Duration.ofSeconds(60), DEFAULT_LEASE_STARTUP_GRACE, Duration.ofSeconds(15),
                Duration.ofMinutes(5), null, DEFAULT_DISRUPTION_GRACE, DEFAULT_DESTINATION_PROBE_INTERVAL,
                DEFAULT_STRAGGLER_WAIT, WorkerPodDefaults.NONE, DEFAULT_HUNG_WORKER_GRACE);
    }

    public boolean watchesAllNamespaces() {
        return namespaces.isEmpty();
    }

    public OperatorSettings withNamespaces(Set<String> value) {
        return edit(b -> b.namespaces = value);
    }

    public OperatorSettings withWorkerImage(String value) {
        return edit(b -> b.workerImage = value);
    }

    public OperatorSettings withDefaultWorkerReplicas(int value) {
        return edit(b -> b.defaultWorkerReplicas = value);
    }

    public OperatorSettings withLeaderElection(boolean value, String namespace) {
        return edit(b -> {
            b.leaderElection = value;
            b.leaseNamespace = namespace;
        });
    }

    public OperatorSettings withExitOnStopLeading(boolean value) {
        return edit(b -> b.exitOnStopLeading = value);
    }

    public OperatorSettings withClock(Clock value) {
        return edit(b -> b.clock = value);
    }

    public OperatorSettings withPrefetchPerWorker(int value) {
        return edit(b -> b.prefetchPerWorker = value);
    }

    public OperatorSettings withNotReadyGrace(Duration value) {
        return edit(b -> b.notReadyGrace = value);
    }

    public OperatorSettings withLeaseStartupGrace(Duration value) {
        return edit(b -> b.leaseStartupGrace = value);
    }

    public OperatorSettings withRecheckInterval(Duration value) {
        return edit(b -> b.recheckInterval = value);
    }

    public OperatorSettings withWorkerServiceAccount(String value) {
        return edit(b -> b.workerServiceAccount = value == null || value.isBlank() ? null : value);
    }

    public OperatorSettings withInvalidSpecRecheck(Duration value) {
        return edit(b -> b.invalidSpecRecheck = value);
    }

    public OperatorSettings withDisruptionGrace(Duration value) {
        return edit(b -> b.disruptionGrace = value);
    }

    public OperatorSettings withDestinationProbeInterval(Duration value) {
        return edit(b -> b.destinationProbeInterval = value);
    }

    public OperatorSettings withStragglerWait(Duration value) {
        return edit(b -> b.stragglerWait = value);
    }

    public OperatorSettings withWorkerPodDefaults(WorkerPodDefaults value) {
        return edit(b -> b.workerPodDefaults = value);
    }

    public OperatorSettings withHungWorkerGrace(Duration value) {
        return edit(b -> b.hungWorkerGrace = value);
    }

    /** A copy with some settings changed: each {@code with...} names only what it changes. */
    private OperatorSettings edit(Consumer<Builder> change) {
        Builder builder = new Builder(this);
        change.accept(builder);
        return builder.build();
    }

    /** The settings as mutable fields, for {@link #edit}. */
    private static final class Builder {
        Set<String> namespaces;
        String workerImage;
        int defaultWorkerReplicas;
        boolean leaderElection;
        String leaseNamespace;
        boolean exitOnStopLeading;
        Clock clock;
        int prefetchPerWorker;
        Duration notReadyGrace;
        Duration leaseStartupGrace;
        Duration recheckInterval;
        Duration invalidSpecRecheck;
        String workerServiceAccount;
        Duration disruptionGrace;
        Duration destinationProbeInterval;
        Duration stragglerWait;
        WorkerPodDefaults workerPodDefaults;
        Duration hungWorkerGrace;

        Builder(OperatorSettings s) {
            namespaces = s.namespaces;
            workerImage = s.workerImage;
            defaultWorkerReplicas = s.defaultWorkerReplicas;
            leaderElection = s.leaderElection;
            leaseNamespace = s.leaseNamespace;
            exitOnStopLeading = s.exitOnStopLeading;
            clock = s.clock;
            prefetchPerWorker = s.prefetchPerWorker;
            notReadyGrace = s.notReadyGrace;
            leaseStartupGrace = s.leaseStartupGrace;
            recheckInterval = s.recheckInterval;
            invalidSpecRecheck = s.invalidSpecRecheck;
            workerServiceAccount = s.workerServiceAccount;
            disruptionGrace = s.disruptionGrace;
            destinationProbeInterval = s.destinationProbeInterval;
            stragglerWait = s.stragglerWait;
            workerPodDefaults = s.workerPodDefaults;
            hungWorkerGrace = s.hungWorkerGrace;
        }

        OperatorSettings build() {
            return new OperatorSettings(namespaces, workerImage, defaultWorkerReplicas, leaderElection, leaseNamespace, exitOnStopLeading, clock, prefetchPerWorker, notReadyGrace, leaseStartupGrace, recheckInterval, invalidSpecRecheck, workerServiceAccount, disruptionGrace,
                    destinationProbeInterval, stragglerWait, workerPodDefaults, hungWorkerGrace);
        }
    }
}
