package dev.ferry.operator.status;

import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskType;
import dev.ferry.operator.state.Tasks;

/**
 * What one task contributes to a job's file and byte counters: a Plan task the files and bytes it found,
 * any other task the outcomes of its files. The one definition used both for live tasks (the aggregator)
 * and for tasks folded into the history, so a fold can never change a sum.
 */
public final class TaskCounts {

    private TaskCounts() {
    }

    public static void add(MigrationJobStatus.FileCounters files, MigrationJobStatus.ByteCounters bytes,
            MigrationTask task) {
        MigrationTaskStatus.Progress progress = task.getStatus() == null ? null : task.getStatus().progress;
        if (progress == null) {
            return;
        }
        if (Tasks.type(task) == TaskType.Plan) {
            // A plan's own skipped entries (links, special files) are left out by policy: not job files.
            files.total += progress.total == null ? 0 : progress.total;
            bytes.total += progress.totalBytes == null ? 0 : progress.totalBytes;
        } else {
            files.copied += progress.copied;
            files.skipped += progress.skipped;
            files.failed += progress.failed;
            bytes.copied += progress.bytes;
        }
    }
}
