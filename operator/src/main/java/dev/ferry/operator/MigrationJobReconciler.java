package dev.ferry.operator;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.operator.assignment.DeadWorkerReclaimer;
import dev.ferry.operator.audit.JobAudit;
import dev.ferry.operator.assignment.StallReclaimer;
import dev.ferry.operator.assignment.StragglerMover;
import dev.ferry.operator.assignment.TakeBack;
import dev.ferry.operator.assignment.TaskAssigner;
import dev.ferry.operator.assignment.TaskStatusWriter;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.history.HistoryFolder;
import dev.ferry.operator.lifecycle.EarlierJobCleanup;
import dev.ferry.operator.lifecycle.EarlierJobLeftovers;
import dev.ferry.operator.lifecycle.FinishedJobReaper;
import dev.ferry.operator.lifecycle.FinishedJobTtl;
import dev.ferry.operator.lifecycle.OverlappingJobs;
import dev.ferry.operator.liveness.LeaseRenewals;
import dev.ferry.operator.liveness.ReadinessChanges;
import dev.ferry.operator.liveness.WorkerLiveness;
import dev.ferry.operator.metrics.AssignmentMetrics;
import dev.ferry.operator.metrics.ReconcileMetrics;
import dev.ferry.operator.metrics.TaskPhaseGauges;
import dev.ferry.operator.notifications.Announcement;
import dev.ferry.operator.notifications.JobAnnouncer;
import dev.ferry.operator.notifications.PublisherFactory;
import dev.ferry.operator.planning.RootPlan;
import dev.ferry.operator.runs.BetweenRuns;
import dev.ferry.operator.runs.PreviousRun;
import dev.ferry.operator.runs.RunStart;
import dev.ferry.operator.schedule.NextRun;
import dev.ferry.operator.state.JobState;
import dev.ferry.operator.state.ResourceVersions;
import dev.ferry.operator.status.JobEvents;
import dev.ferry.operator.status.JobStatusAggregator;
import dev.ferry.operator.status.JobStatusRecorder;
import dev.ferry.operator.validation.InvalidSpec;
import dev.ferry.operator.validation.JobValidator;
import dev.ferry.operator.workers.HungWorkerPods;
import dev.ferry.operator.workers.WorkerDeploymentFactory;
import dev.ferry.operator.workers.WorkerDeployments;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;

/**
 * Drives a MigrationJob: observe → validate → wait while an overlapping job runs ({@link OverlappingJobs}: the
 * same keys, or a tree one of them moves; only before a run starts) → ensure workers → ensure the root plan → take tasks
 * back from dead workers → delete worker pods hung past their Lease → take back stalled tasks → create the Audit task once the work is done (the job
 * is Verifying until it finishes) → move stragglers to idle workers → hand out tasks
 * (one probe at a time while the destination is unavailable) → record status → announce on Kafka.
 * A suspended job ({@code spec.suspend}) keeps all steps but the hand-out (and the straggler moves), with
 * its workers scaled to zero: they release
 * their tasks with their checkpoints on SIGTERM, and tasks of workers that die instead are taken back as
 * always. A finished job is deleted once {@code spec.ttlSecondsAfterFinished} has passed. A spec change
 * (suspend, resume) bumps the generation and reconciles the job. The job's tasks, worker pods and
 * worker Leases are secondary resources, so a task or pod change reconciles its job; the job's own
 * status writes do not (generation-aware processing). A Lease's expiry is no event: the reconcile is
 * rescheduled for the earliest moment a worker would count as dead. A job with {@code spec.notifications}
 * takes its final phase only once Kafka acknowledged its {@code job.finished} event; an acknowledgement
 * reconciles its job at once (an inbound event source).
 *
 * <p>A finished job runs again ({@code operator.runs}) at its next scheduled time ({@code spec.schedule}) or when the
 * annotation {@code ferry.dev/run-now} takes a new value (a second informer on the jobs passes on exactly those
 * changes, which do not bump the generation): one status write starts the run, the previous run's tasks are deleted
 * and its workers stop before the new root plan is created.
 */
@ControllerConfiguration(name = MigrationJobReconciler.NAME)
public class MigrationJobReconciler implements Reconciler<MigrationJob>, AutoCloseable {
    public static final String NAME = "migrationjob";
    static final String WORKER_SELECTOR = Ferry.JOB_LABEL + "," + Ferry.COMPONENT_LABEL + "=" + Ferry.COMPONENT_WORKER;

    /** How soon a status write that lost a race is tried again, on the newer job. */
    private static final Duration RETRY_STATUS_WRITE = Duration.ofMillis(200);
    /** How soon a run that waits for the previous run's tasks and workers to go looks again (their deletes wake it too). */
    private static final Duration CLEARING_RECHECK = Duration.ofSeconds(1);
    /** How soon a job that waits for an overlapping one ({@link OverlappingJobs}) looks again. */
    private static final Duration OVERLAP_RECHECK = Duration.ofSeconds(2);

    private final OperatorSettings settings;
    private final JobValidator validator;
    private final WorkerDeployments workers;
    private final JobStatusAggregator aggregator;
    /** When each worker's Lease was seen renewed, on this operator's clock: liveness and the workers' clocks. */
    private final LeaseRenewals leaseRenewals = new LeaseRenewals();
    /** When each worker pod's readiness was seen to change, on this operator's clock: the graces count from it. */
    private final ReadinessChanges readinessChanges = new ReadinessChanges();
    private final WorkerLiveness liveness;
    private final HistoryFolder history;
    private final KubernetesClient client;
    private final FinishedJobReaper reaper;
    private final JobAnnouncer announcer;
    private final AssignmentMetrics assignmentMeters;
    private final ReconcileMetrics reconcileMeters;
    private final PreviousRun previousRun;
    private final EarlierJobCleanup earlierJob;
    /** Sends the task writes of a reconcile side by side (see {@link TaskStatusWriter#writeAll}). */
    private final ExecutorService taskWrites = Executors.newFixedThreadPool(TaskStatusWriter.IN_FLIGHT,
            BasicThreadFactory.builder().namingPattern("ferry-task-write-%d").daemon(true).build());
    private volatile InformerEventSource<MigrationTask, MigrationJob> taskSource;
    private volatile SimpleInboundEventSource<MigrationJob> acknowledgements;

    public MigrationJobReconciler(KubernetesClient client, OperatorSettings settings) {
        this(client, settings, PublisherFactory.KAFKA);
    }

    /** @param publishers opens the Kafka publisher of a job with {@code spec.notifications} */
    public MigrationJobReconciler(KubernetesClient client, OperatorSettings settings, PublisherFactory publishers) {
        this(client, settings, publishers, new CompositeMeterRegistry());
    }

    /** @param meters where hand-outs, take-backs and the tasks by phase (from the informer cache) are counted */
    public MigrationJobReconciler(KubernetesClient client, OperatorSettings settings, PublisherFactory publishers,
            MeterRegistry meters) {
        this.client = client;
        this.assignmentMeters = new AssignmentMetrics(meters);
        this.reconcileMeters = new ReconcileMetrics(meters);
        // registers ferry_tasks{phase}, read from the tasks' informer once it exists (the gauges keep it)
        new TaskPhaseGauges(meters, () -> taskSource.list(task -> true));
        this.settings = settings;
        this.reaper = new FinishedJobReaper(client);
        this.validator = new JobValidator(client);
        this.workers = new WorkerDeployments(client, new WorkerDeploymentFactory(settings));
        this.liveness = new WorkerLiveness(settings.notReadyGrace(), settings.leaseStartupGrace(), leaseRenewals,
                readinessChanges);
        this.aggregator = new JobStatusAggregator(liveness);
        this.history = new HistoryFolder(client);
        this.previousRun = new PreviousRun(client, history);
        JobEvents events = new JobEvents(client, settings.clock());
        this.earlierJob = new EarlierJobCleanup(client, events);
        this.announcer = new JobAnnouncer(client, publishers, events, job -> {
            SimpleInboundEventSource<MigrationJob> source = acknowledgements;
            if (source != null) {
                source.propagateEvent(ResourceID.fromResource(job));
            }
        });
    }

    @Override
    public List<EventSource<?, MigrationJob>> prepareEventSources(EventSourceContext<MigrationJob> context) {
        taskSource = new InformerEventSource<>(informerOf(MigrationTask.class, "tasks", Ferry.JOB_LABEL).build(), context);
        var pods = new InformerEventSource<>(informerOf(Pod.class, "worker-pods", WORKER_SELECTOR)
                // Readiness changes are timed here, as they arrive, on the operator's clock (ReadinessChanges).
                .withOnAddFilter((Pod pod) -> {
                    readinessChanges.readinessSince(pod, settings.clock().instant());
                    return true;
                })
                .withOnUpdateFilter((Pod current, Pod before) -> {
                    readinessChanges.readinessSince(current, settings.clock().instant());
                    return true;
                })
                .withOnDeleteFilter((Pod pod, Boolean finalStateUnknown) -> {
                    readinessChanges.forget(pod);
                    return true;
                })
                .build(), context);
        var deployments = new InformerEventSource<>(
                informerOf(Deployment.class, "worker-deployments", WORKER_SELECTOR).build(), context);
        var leases = new InformerEventSource<>(informerOf(Lease.class, "worker-leases", WORKER_SELECTOR)
                // Every change is seen here first, timed on the operator's clock (LeaseRenewals). A renewal changes
                // nothing the reconcile decides on (expiry is rescheduled); a new holder, a new duration or the
                // revival of an expired Lease does.
                .withOnAddFilter((Lease lease) -> {
                    leaseRenewals.seenRenewedAt(lease, settings.clock().instant());
                    return true;
                })
                .withOnUpdateFilter((Lease current, Lease before) -> {
                    Instant now = settings.clock().instant();
                    boolean revived = liveness.leaseExpired(before, now);
                    boolean sameHolderAndDuration = sameHolderAndDuration(current, before);
                    if (!sameHolderAndDuration) {
                        leaseRenewals.forget(before); // taken over by a new pod of the same name: the old one is gone
                    }
                    leaseRenewals.seenRenewedAt(current, now);
                    return !sameHolderAndDuration || revived;
                })
                .withOnDeleteFilter((Lease lease, Boolean finalStateUnknown) -> {
                    leaseRenewals.forget(lease);
                    return true;
                })
                .build(), context);
        // An annotation does not bump the generation, so the controller's own events leave it out: this informer
        // passes on a new value of ferry.dev/run-now, and nothing else.
        var runNow = new InformerEventSource<>(InformerEventSourceConfiguration.from(MigrationJob.class, MigrationJob.class)
                .withName("run-now-annotations")
                .withOnAddFilter(job -> false)
                .withOnUpdateFilter((MigrationJob current, MigrationJob before) ->
                        !Objects.equals(NextRun.runNowValue(current), NextRun.runNowValue(before)))
                .withSecondaryToPrimaryMapper((MigrationJob job) -> Set.of(ResourceID.fromResource(job)))
                .withNamespacesInheritedFromController()
                .build(), context);
        acknowledgements = new SimpleInboundEventSource<>("kafka-acknowledgements");
        announcer.sweepRegularly(uid -> context.getPrimaryCache().list()
                .anyMatch(job -> uid.equals(job.getMetadata().getUid())));
        return List.of(taskSource, pods, deployments, leases, runNow, acknowledgements);
    }

    @Override
    public UpdateControl<MigrationJob> reconcile(MigrationJob cached, Context<MigrationJob> context) {
        return reconcileMeters.timed(() -> reconcileJob(cached, context));
    }

    private UpdateControl<MigrationJob> reconcileJob(MigrationJob cached, Context<MigrationJob> context) {
        // A new run-now value reaches this reconcile through its own informer, whose copy may be ahead of
        // the controller's: read with the older copy, the value was missed, and the controller's informer
        // drops the later event as the generation did not change (RecurringRunsIT, once in CI).
        MigrationJob job = ResourceVersions.later(cached, context.getSecondaryResource(MigrationJob.class).orElse(null));
        // Streams, not getSecondaryResources: that collects into a set, hashing every task deeply (metadata, spec,
        // status) on every reconcile, a fifth of the operator's CPU with 10,000 tasks live.
        List<MigrationTask> tasks = context.getSecondaryResourcesAsStream(MigrationTask.class).toList();
        List<Pod> pods = context.getSecondaryResourcesAsStream(Pod.class).toList();
        Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
        EarlierJobLeftovers leftovers = EarlierJobLeftovers.among(job, tasks, pods, deployment);
        JobState state = observe(job, leftovers.withoutLeftovers(tasks), leftovers.podsWithoutLeftovers(pods),
                leftovers.deployment() == null ? deployment : null, context);
        if (earlierJob.clearing(state, leftovers)) {
            return UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(CLEARING_RECHECK);
        }
        Steps steps = steps(context);
        if (state.isFinished()) {
            announcer.forget(job.getMetadata().getUid());
            validator.forget(job.getMetadata().getUid());
            earlierJob.forget(job.getMetadata().getUid());
            workers.forget(job.getMetadata().getUid());
            return finished(state, state.observedStatus(), steps, HistoryFold.FOLD_NOW);
        }
        Optional<InvalidSpec> invalid = validator.validate(state);
        if (invalid.isPresent()) {
            // Retrying cannot fix a spec; look again only slowly, in case a missing Secret appears.
            boolean recorded = steps.recorder().recordInvalid(state, invalid.get());
            return UpdateControl.<MigrationJob>noUpdate()
                    .rescheduleAfter(recorded ? settings.invalidSpecRecheck() : RETRY_STATUS_WRITE);
        }
        if (previousRun.clearing(state)) {
            workers.ensure(state, true);
            return UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(CLEARING_RECHECK);
        }
        RunStart.number(state);
        if (state.observedStatus().startTime == null) {
            List<OverlappingJobs.Overlap> overlaps = OverlappingJobs.blocking(job, state.status().runMode,
                    context.getPrimaryCache().list());
            if (!overlaps.isEmpty()) {
                // Their end raises no event for this job: it looks again regularly (a scan of the cache).
                boolean recorded = steps.recorder().recordWaiting(state, OverlappingJobs.REASON,
                        OverlappingJobs.message(overlaps));
                return UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(recorded ? OVERLAP_RECHECK : RETRY_STATUS_WRITE);
            }
        }
        boolean suspended = job.getSpec().isSuspended();
        workers.ensure(state, suspended);
        steps.rootPlan().ensure(state);
        steps.reclaimer().reclaim(state);
        Optional<Instant> hungPodDue = steps.hungPods().deleteHung(state);
        steps.stalls().reclaim(state);
        steps.audit().ensure(state);
        if (!suspended) {
            steps.stragglers().move(state);
        }
        Optional<TaskAssigner.Outcome> assignment = suspended ? Optional.empty() : Optional.of(steps.assigner().assign(state));
        history.prepare(state);
        Announcement announcement = announcer.begin(state);
        MigrationJobStatus status = aggregator.aggregate(state, announcement);
        announcement.describe(status);
        if (!steps.recorder().record(state, status)) {
            return UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(RETRY_STATUS_WRITE);
        }
        announcement.written(status);
        history.deleteFolded(state);
        if (status.phase.isFinished()) {
            // This reconcile has folded already, on the job as read; the next one folds on from the written job.
            return finished(state, status, steps, HistoryFold.FOLDED_ALREADY);
        }
        Duration next = nextLook(state, steps, assignment, hungPodDue);
        Optional<Duration> announcing = announcement.recheck();
        if (announcing.isPresent() && announcing.get().compareTo(next) < 0) {
            next = announcing.get();
        }
        return UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(next);
    }

    /**
     * A finished job hands out nothing and keeps no workers; once {@code spec.ttlSecondsAfterFinished}
     * has passed since its completion it is deleted. Until then the reconcile is rescheduled for the
     * moment the TTL expires — at the latest after the regular recheck, as everywhere else here, so a
     * clock that jumps (or the tests' injected one) is noticed without an event. The finished run is recorded
     * in {@code status.runs}; the next one starts when it is due ({@link NextRun}), and a job with a schedule
     * is looked at again at its next run time the same way.
     */
    private UpdateControl<MigrationJob> finished(JobState state, MigrationJobStatus status, Steps steps, HistoryFold fold) {
        Optional<Instant> expiry = FinishedJobTtl.expiry(state.job(), status);
        if (expiry.isPresent() && state.now().isAfter(expiry.get())) {
            reaper.delete(state.job());
            return UpdateControl.noUpdate();
        }
        workers.ensure(state, true);
        if (fold == HistoryFold.FOLDED_ALREADY) {
            // The next reconcile, on the written job, records the run and looks at the schedule and run-now.
            return UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(RETRY_STATUS_WRITE);
        }
        NextRun nextRun = BetweenRuns.observe(state);
        if (nextRun.due().isPresent() && !state.job().getSpec().isSuspended()) {
            boolean started = steps.runStart().start(state, nextRun.due().get());
            return UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(started ? Duration.ofMillis(50) : RETRY_STATUS_WRITE);
        }
        if (!foldFinished(state, steps)) {
            return UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(RETRY_STATUS_WRITE);
        }
        Duration next = expiry.map(moment -> until(state, moment)).orElse(null);
        if (nextRun.schedule().isPresent()) {
            Duration toNextRun = nextRun.nextRunTime().map(moment -> until(state, moment)).orElse(settings.recheckInterval());
            next = next == null || toNextRun.compareTo(next) < 0 ? toNextRun : next;
        }
        if (state.status().history != null && state.status().history.deleting != null
                && (next == null || next.compareTo(settings.recheckInterval()) > 0)) {
            // The delete events reconcile the job again; this only guards against a missed one.
            next = settings.recheckInterval();
        }
        return next == null ? UpdateControl.noUpdate() : UpdateControl.<MigrationJob>noUpdate().rescheduleAfter(next);
    }

    /** Whether {@link #finished} folds the task history, or the reconcile that finished the job did already. */
    private enum HistoryFold {
        /** The job was finished when read: nothing aggregates any more, so folding goes on here. */
        FOLD_NOW,
        /** This reconcile finished the job and folded on the way, on the job as read. */
        FOLDED_ALREADY
    }

    /**
     * A finished job's counters are final and are not aggregated again; folding goes on, since it moves
     * counts from task objects into the history without changing any sum. Returns false when the status
     * write lost a race.
     */
    private boolean foldFinished(JobState state, Steps steps) {
        history.prepare(state);
        if (!steps.recorder().record(state, state.status())) {
            return false;
        }
        history.deleteFolded(state);
        return true;
    }

    /** What this operator has seen of worker Leases: tests that move its clock wait until it saw a renewal. */
    LeaseRenewals leaseRenewals() {
        return leaseRenewals;
    }

    /** What this operator has seen of worker pods' readiness: tests that move its clock wait until it saw a change. */
    ReadinessChanges readinessChanges() {
        return readinessChanges;
    }

    @Override
    public void close() {
        taskWrites.shutdownNow();
        history.close();
        announcer.close();
    }

    /** What one reconcile knows of the job: its own tasks, worker pods and Deployment, and the Leases. */
    private JobState observe(MigrationJob job, List<MigrationTask> tasks, List<Pod> pods, Deployment deployment,
            Context<MigrationJob> context) {
        return new JobState(job, tasks, pods, context.getSecondaryResourcesAsStream(Lease.class).toList(), deployment,
                settings.clock().instant(), leaseRenewals);
    }

    /** The steps that write, wired to tell the caches about their writes. */
    private record Steps(RootPlan rootPlan, DeadWorkerReclaimer reclaimer, HungWorkerPods hungPods, StallReclaimer stalls, JobAudit audit,
            StragglerMover stragglers, TaskAssigner assigner, JobStatusRecorder recorder, RunStart runStart) {
    }

    private Steps steps(Context<MigrationJob> context) {
        TaskStatusWriter writer = new TaskStatusWriter(client, (written, previous) ->
                taskSource.handleRecentResourceUpdate(ResourceID.fromResource(written), written, previous), taskWrites);
        RootPlan rootPlan = new RootPlan(client, created ->
                taskSource.handleRecentResourceCreate(ResourceID.fromResource(created), created));
        JobAudit audit = new JobAudit(client, created ->
                taskSource.handleRecentResourceCreate(ResourceID.fromResource(created), created));
        JobEvents events = new JobEvents(client, settings.clock());
        JobStatusRecorder recorder = new JobStatusRecorder(client, events,
                (written, previous) -> context.eventSourceRetriever().getControllerEventSource()
                        .handleRecentResourceUpdate(ResourceID.fromResource(written), written, previous));
        TakeBack takeBack = new TakeBack(writer, settings.disruptionGrace(), assignmentMeters);
        return new Steps(rootPlan, new DeadWorkerReclaimer(takeBack, liveness, events),
                new HungWorkerPods(client, events, liveness, settings.hungWorkerGrace()), new StallReclaimer(takeBack, events), audit,
                new StragglerMover(takeBack, liveness, settings.stragglerWait()),
                new TaskAssigner(writer, settings.prefetchPerWorker(), liveness, settings.destinationProbeInterval(),
                        assignmentMeters),
                recorder, new RunStart(recorder));
    }

    /**
     * Soon when a backoff ends, a probe of a paused destination is due, a worker would count as dead (its
     * Lease expires, its not-Ready or start-up grace ends) or as hung, a task would count as stalled or as a
     * straggler, before the regular recheck: time passing raises no event.
     */
    private Duration nextLook(JobState state, Steps steps, Optional<TaskAssigner.Outcome> assignment,
            Optional<Instant> hungPodDue) {
        Duration next = settings.recheckInterval();
        Optional<Instant> handOut = assignment.flatMap(TaskAssigner.Outcome::nextLook);
        Optional<Instant> stall = steps.stalls().nextDeadline(state);
        Optional<Instant> straggler = assignment.isPresent() ? steps.stragglers().nextDeadline(state) : Optional.empty();
        Optional<Instant> workerDeadline = state.workerPods().stream()
                .flatMap(pod -> liveness.deadline(pod, state.leaseOf(pod), state.now()).stream())
                .filter(deadline -> deadline.isAfter(state.now()))
                .min(Instant::compareTo);
        for (Optional<Instant> moment : List.of(handOut, workerDeadline, hungPodDue, stall, straggler)) {
            if (moment.isPresent()) {
                Duration until = until(state, moment.get());
                if (until.compareTo(next) < 0) {
                    next = until;
                }
            }
        }
        return next;
    }

    /** Just after {@code moment}, at the latest after the regular recheck. */
    private Duration until(JobState state, Instant moment) {
        Duration until = Duration.between(state.now(), moment).plusMillis(50);
        if (until.isNegative()) {
            return Duration.ofMillis(50);
        }
        return until.compareTo(settings.recheckInterval()) < 0 ? until : settings.recheckInterval();
    }

    private static boolean sameHolderAndDuration(Lease a, Lease b) {
        return a.getSpec() != null && b.getSpec() != null
                && Objects.equals(a.getSpec().getHolderIdentity(), b.getSpec().getHolderIdentity())
                && Objects.equals(a.getSpec().getLeaseDurationSeconds(), b.getSpec().getLeaseDurationSeconds());
    }

    /**
     * An informer on one kind of the job's secondary resources: those in the controller's namespaces that
     * carry the labels of {@code labelSelector}, each mapped to its job by {@link Ferry#JOB_LABEL}.
     */
    private static <R extends HasMetadata> InformerEventSourceConfiguration.Builder<R> informerOf(Class<R> type,
            String name, String labelSelector) {
        return InformerEventSourceConfiguration.from(type, MigrationJob.class)
                .withName(name)
                .withLabelSelector(labelSelector)
                .withSecondaryToPrimaryMapper(byJobLabel())
                .withNamespacesInheritedFromController();
    }

    private static <R extends HasMetadata> SecondaryToPrimaryMapper<R> byJobLabel() {
        return resource -> {
            String job = resource.getMetadata().getLabels() == null ? null
                    : resource.getMetadata().getLabels().get(Ferry.JOB_LABEL);
            return job == null ? Set.of() : Set.of(new ResourceID(job, resource.getMetadata().getNamespace()));
        };
    }
}
