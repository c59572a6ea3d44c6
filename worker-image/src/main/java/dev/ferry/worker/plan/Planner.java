package dev.ferry.worker.plan;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationMode;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.PartsScope;
import dev.ferry.api.TaskType;
import dev.ferry.worker.config.JobSettings;
import dev.ferry.worker.manifest.TaskFiles;
import dev.ferry.worker.multipart.MultipartUploads;
import dev.ferry.worker.multipart.PartLayout;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.ObjectKeys;
import dev.ferry.worker.source.SourceErrors;
import dev.ferry.worker.task.LostTaskException;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.TaskFence;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the walk of one Plan task into tasks. Everything it creates covers a contiguous stretch of
 * the walk order, in order, so the checkpoint (the end of the last stretch) says exactly what is done:
 * <ul>
 *   <li>files are cut into Copy tasks {@code <plan>-00001, ...} of at most maxFiles files (fewer for the
 *       plan's first tasks: {@link TaskSizes}) and maxBytes bytes;</li>
 *   <li>a file of at least splitFileSize becomes Parts tasks, numbered in the same sequence, after the
 *       files before it were cut into a task of their own; unless the destination may hold it already
 *       ({@link UnchangedHugeFiles}: a Copy task then skips it or copies it);</li>
 *   <li>a subdirectory of at least splitDirectoryEntries entries goes to a child Plan task (while the
 *       job has fewer unfinished plans than workers plus one), again after the files before it; the
 *       checkpoint {@code dir/} is written before the child is created, so a resumed plan finishes the
 *       hand-off instead of deciding again.</li>
 * </ul>
 * Creating a numbered task that exists already (a crash between creating it and recording it) takes the
 * existing one as the truth: what it covers is recorded and the walk goes on after it. Each created task
 * is recorded at once in the plan's status.
 */
final class Planner implements SourceWalker.Visitor {
    private static final Logger LOG = LoggerFactory.getLogger(Planner.class);
    /** Findings waiting for the checkpoint beyond which the pending files are cut into a task. */
    static final int PENDING_FINDINGS_LIMIT = 1000;
    static final Duration WALK_HEARTBEAT = Duration.ofSeconds(30);

    private final MigrationJob job;
    private final String planName;
    private final TaskFence fence;
    private final PlanState state;
    private final PlanFindingsLog findings;
    private final StopSignal stop;
    private final Room room;
    private final TaskStore tasks;
    private final TaskFactory factory;
    private final ChildPlans children;
    private final MultipartUploads uploads;
    private final Supplier<EndpointPool> store;
    private final TaskSizes sizes;
    private final long maxBytes;
    private final long splitFileSize;
    private final int splitDirectoryEntries;
    private final Long configuredPartSize;
    private final UnchangedHugeFiles unchangedHugeFiles;
    private final String prefix;
    private final PlanHooks hooks;
    /** How long a walk that records nothing may go before it says it still moves (well within stallTimeout). */
    private final long walkHeartbeatNanos;
    private long lastMovedNanos = System.nanoTime();
    private List<FileEntry> batch = new ArrayList<>();
    private long batchBytes;

    Planner(PlanContext context) {
        this.job = context.job();
        this.hooks = context.hooks();
        this.planName = context.planName();
        this.fence = context.fence();
        this.state = context.state();
        this.findings = context.findings();
        this.stop = context.stop();
        this.room = context.room();
        this.tasks = context.tasks();
        this.factory = context.factory();
        this.children = context.children();
        this.uploads = context.uploads();
        this.store = context.store();
        JobSettings settings = context.settings();
        this.configuredPartSize = settings.configuredPartSize();
        this.sizes = new TaskSizes(settings.maxFiles());
        this.maxBytes = settings.maxBytes();
        // A huge file stays one (multipart, resumable) copy instead of Parts tasks when Move deletes it
        // once verified (one holder must see the whole object), and when there is one worker to spread
        // over: Parts tasks then only add hand-overs and a server-side CopyObject for md5chksum
        boolean oneWorker = settings.replicas() <= 1;
        this.splitFileSize = settings.mode() == MigrationMode.Move || oneWorker ? Long.MAX_VALUE
                : settings.splitFileSize();
        this.splitDirectoryEntries = settings.splitDirectoryEntries();
        this.unchangedHugeFiles = new UnchangedHugeFiles(settings.overwrite(), state.freshDestination, settings.bucket(),
                store);
        this.prefix = settings.prefix();
        this.walkHeartbeatNanos = Math.min(WALK_HEARTBEAT.toNanos(),
                job.getSpec().tasksOrDefaults().stallTimeoutDuration().toNanos() / 4);
    }

    /**
     * A walk through entries that the globs leave out, or through one huge directory, creates no task
     * for a long time: {@code progressTime} is written anyway, so the operator does not take a moving
     * plan back as stalled.
     */
    @Override
    public void examining(String relativePath) throws LostTaskException {
        if (System.nanoTime() - lastMovedNanos >= walkHeartbeatNanos) {
            checkStop();
            fence.updateMoved(status -> { }); // the recorded state as it is, only progressTime
            lastMovedNanos = System.nanoTime();
        }
    }

    private void recordMoved() throws LostTaskException {
        findings.store(state); // before the status write whose checkpoint counts them
        fence.updateMoved(state::writeTo);
        lastMovedNanos = System.nanoTime();
    }

    /** A checkpoint {@code dir/} may have been written just before a crash: make sure the child exists. */
    void finishInterruptedHandOff() {
        if (Checkpoint.isSubtree(state.checkpoint)) {
            children.ensure(Checkpoint.subtreeDirectory(state.checkpoint));
        }
    }

    @Override
    public void file(FileEntry entry) throws LostTaskException {
        checkStop();
        PartLayout layout = partsLayout(entry);
        if (layout != null) {
            flushAll();
            emitParts(entry, layout);
            return;
        }
        if (!batch.isEmpty() && batchBytes + entry.sizeOrZero() > maxBytes) {
            emit();
        }
        batch.add(entry);
        batchBytes += entry.sizeOrZero();
        while (batch.size() >= filesOfNextTask()) {
            emit();
        }
    }

    @Override
    public boolean enter(String directory, int entries) throws LostTaskException {
        checkStop();
        if (entries < splitDirectoryEntries || Checkpoint.coversAnyOf(directory, state.checkpoint)) {
            return true;
        }
        if (!children.roomForAnother()) {
            LOG.debug("{} has {} entries, but the job runs as many plans as it may: walking it here", directory,
                    entries);
            return true;
        }
        flushAll();
        if (Checkpoint.coversAnyOf(directory, state.checkpoint)) {
            return true; // a task created before a reassignment reaches into it: walk on from the checkpoint
        }
        state.advanceTo(Checkpoint.subtree(directory));
        recordMoved();
        hooks.reached("handoff " + directory);
        children.ensure(directory);
        hooks.reached("created plan of " + directory);
        return false;
    }

    @Override
    public void skipped(String relativePath, FailureCode code, String detail) throws LostTaskException {
        state.found(relativePath, code.name(), detail, false);
        settleFindings(relativePath);
    }

    @Override
    public void unreadableDirectory(String relativePath, IOException cause) throws LostTaskException {
        LOG.warn("cannot list directory {}: {}", relativePath, cause.toString());
        FailureCode code = SourceErrors.classify(cause).code();
        state.found(relativePath, code.name(), "directory cannot be listed: " + cause, true);
        settleFindings(relativePath.isEmpty() ? null : relativePath);
    }

    /** Cuts every file still in the batch into tasks. */
    void flushAll() throws LostTaskException {
        while (!batch.isEmpty()) {
            emit();
        }
    }

    /**
     * With no file waiting in the batch the checkpoint may move up to a finding at once; otherwise the
     * finding waits for the next task, and too many waiting findings cut the batch early.
     */
    private void settleFindings(String position) throws LostTaskException {
        if (position == null) {
            return;
        }
        if (batch.isEmpty()) {
            state.advanceTo(position);
        } else if (state.pendingFindings() >= PENDING_FINDINGS_LIMIT) {
            flushAll();
            state.advanceTo(position);
        }
        findings.storeIfMany(state);
    }

    private int filesOfNextTask() {
        return sizes.maxFilesOf(state.tasksCreated + 1);
    }

    /** Creates the next Copy task from (the head of) the batch and records it. */
    private void emit() throws LostTaskException {
        room.await();
        int n = state.tasksCreated + 1;
        String name = CopyTasks.name(planName, n);
        int files = filesOfNextTask();
        List<FileEntry> take = List.copyOf(batch.size() > files ? batch.subList(0, files) : batch);
        MigrationTask proposed = factory.copy(name, take);
        Optional<MigrationTask> existing = tasks.createOrFind(proposed);
        if (existing.isPresent()) {
            absorbExisting(n, existing.get());
        } else {
            hooks.reached("created " + name);
            recordCopy(n, take);
        }
        dropCovered();
        recordMoved();
        LOG.debug("created {} with {} files, checkpoint {}", name, take.size(), state.checkpoint);
    }

    /**
     * Creates the Parts tasks of one huge file: first the multipart upload (found again if a crash left
     * one behind), then the tasks, all sharing its id. A numbered task in the way (left by a crash) is
     * taken as it is first; it may well be this very file's first Parts task.
     */
    private void emitParts(FileEntry entry, PartLayout layout) throws LostTaskException {
        while (Checkpoint.after(entry.path, state.checkpoint)) {
            int n = state.tasksCreated + 1;
            String name = CopyTasks.name(planName, n);
            MigrationTask existing = tasks.get(name);
            if (existing == null) {
                room.await();
                String key = ObjectKeys.keyOf(prefix, entry.path);
                MultipartUploads.Upload upload = uploads.findOrCreate(key, entry);
                hooks.reached("upload " + key);
                MigrationTask first = factory.parts(name, entry, layout, 0, upload.id());
                Optional<MigrationTask> raced = tasks.createOrFind(first);
                if (raced.isPresent() && !upload.id().equals(uploadIdOf(raced.get()))) {
                    uploads.abandon(key, upload);
                }
                existing = raced.orElse(null);
                if (existing == null) {
                    hooks.reached("created " + name);
                    completeSeries(n, first);
                }
            }
            if (existing != null) {
                absorbExisting(n, existing);
            }
            dropCovered();
            recordMoved();
        }
    }

    /** Records what task {@code n}, found existing, covers. */
    private void absorbExisting(int n, MigrationTask existing) throws LostTaskException {
        String name = existing.getMetadata().getName();
        TaskType type = existing.getSpec() == null ? null : existing.getSpec().type;
        LOG.info("{} task {} exists already (created before a reassignment): keeping it as it is", type, name);
        if (type == TaskType.Copy) {
            recordCopy(n, TaskFiles.of(job, existing, store.get()));
        } else if (type == TaskType.Parts) {
            completeSeries(n, existing);
        } else {
            throw new IllegalStateException("task " + name + " exists but is a " + type + " task, not one this plan numbers");
        }
    }

    /** Task {@code n} is the first Parts task of a file: creates the rest of the series and records the file. */
    private void completeSeries(int n, MigrationTask first) throws LostTaskException {
        PartsScope parts = first.getSpec().parts;
        if (parts == null || parts.firstPart == null || parts.firstPart != 1) {
            throw new IllegalStateException("task " + first.getMetadata().getName()
                    + " is not the first Parts task of a file, where the plan's sequence expects one");
        }
        PartLayout layout = PartLayout.of(parts);
        for (int i = 1; i < layout.tasks(); i++) {
            room.await();
            String name = CopyTasks.name(planName, n + i);
            Optional<MigrationTask> existing = tasks.createOrFind(factory.parts(name, parts.file, layout, i, parts.uploadId));
            if (existing.isPresent() && !sameSeries(existing.get(), parts, layout.firstPart(i))) {
                throw new IllegalStateException("task " + name + " exists but is not part range " + (i + 1)
                        + " of " + parts.file.path + " in upload " + parts.uploadId);
            }
            if (existing.isEmpty()) {
                hooks.reached("created " + name);
            }
        }
        state.tasksCreated = n + layout.tasks() - 1;
        state.total += 1;
        state.totalBytes += parts.file.sizeOrZero();
        state.advanceTo(parts.file.path);
        LOG.info("{} ({} parts of {} bytes) is in Parts tasks {} to {}, upload {}", parts.file.path,
                layout.count(), layout.partSize(), CopyTasks.name(planName, n),
                CopyTasks.name(planName, state.tasksCreated), parts.uploadId);
    }

    private void recordCopy(int n, List<FileEntry> files) {
        state.tasksCreated = n;
        state.total += files.size();
        state.totalBytes += files.stream().mapToLong(FileEntry::sizeOrZero).sum();
        String last = null;
        for (FileEntry f : files) {
            last = Checkpoint.max(last, f.path);
        }
        if (last != null) {
            state.advanceTo(last);
        }
    }

    /** Keeps in the batch only what no task covers yet (an existing task may have covered more). */
    private void dropCovered() {
        List<FileEntry> rest = new ArrayList<>();
        long restBytes = 0;
        for (FileEntry f : batch) {
            if (Checkpoint.after(f.path, state.checkpoint)) {
                rest.add(f);
                restBytes += f.sizeOrZero();
            }
        }
        batch = rest;
        batchBytes = restBytes;
    }

    /** The Parts layout of a file to split across workers, or null for a file that goes into a Copy task. */
    private PartLayout partsLayout(FileEntry entry) {
        if (entry.sizeOrZero() < splitFileSize || entry.kindOrFile() != EntryKind.File) {
            return null;
        }
        String key = ObjectKeys.keyOf(prefix, entry.path);
        if (!ObjectKeys.encodable(key) || ObjectKeys.tooLong(key) || !ObjectKeys.carriedByXml(key)) {
            return null; // a Copy task reports it with its code
        }
        PartLayout layout = PartLayout.forPartsTasks(entry.sizeOrZero(), configuredPartSize, splitFileSize);
        return layout.split() && !unchangedHugeFiles.mayBeStored(key, entry) ? layout : null;
    }

    private static boolean sameSeries(MigrationTask task, PartsScope first, int firstPart) {
        PartsScope p = task.getSpec() == null ? null : task.getSpec().parts;
        return p != null && p.file != null && first.file.path.equals(p.file.path)
                && first.uploadId.equals(p.uploadId) && p.firstPart != null && p.firstPart == firstPart;
    }

    private static String uploadIdOf(MigrationTask task) {
        PartsScope p = task.getSpec() == null ? null : task.getSpec().parts;
        return p == null ? null : p.uploadId;
    }

    private void checkStop() {
        if (stop.stopRequested()) {
            throw PlanPaused.stopping();
        }
    }
}
