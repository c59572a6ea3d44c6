package dev.ferry.operator.status;

import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.state.Tasks;

/**
 * What one task contributes to a job's file and byte counters: a Plan task the files and bytes it found,
 * any other task the outcomes of its files — and a task that ended Failed (the operator gave up on it) also
 * every file it covers but did not finish, as failed, so that {@code total = copied + skipped + failed} holds
 * at the end whatever happened. The one definition used both for live tasks (the aggregator) and for tasks
 * folded into the history, so a fold can never change a sum.
 */
public final class TaskCounts {

    private TaskCounts() {
    }

    public static void add(MigrationJobStatus.FileCounters files, MigrationJobStatus.ByteCounters bytes,
            MigrationTask task) {
        if (Tasks.type(task) == TaskType.Audit) {
            return; // it checks the files the other tasks counted: counting it would count them twice
        }
        MigrationTaskStatus.Progress progress = task.getStatus() == null ? null : task.getStatus().progress;
        if (Tasks.type(task) != TaskType.Plan && Tasks.phase(task) == TaskPhase.Failed) {
            files.failed += Math.max(0, Tasks.fileCount(task) - (progress == null ? 0 : progress.files));
        }
        if (progress == null) {
            return;
        }
        if (Tasks.type(task) == TaskType.Plan) {
            // A plan's own skipped entries (links, special files) are left out by policy: not job files.
            files.total += progress.total == null ? 0 : progress.total;
            files.leftOut += progress.skipped;
            bytes.total += progress.totalBytes == null ? 0 : progress.totalBytes;
        } else {
            files.copied += progress.copied;
            files.skipped += progress.skipped;
            files.failed += progress.failed;
            bytes.copied += progress.bytes;
        }
    }
}
