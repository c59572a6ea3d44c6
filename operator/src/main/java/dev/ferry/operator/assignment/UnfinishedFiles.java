package dev.ferry.operator.assignment;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskType;
import java.util.ArrayList;
import java.util.List;

/**
 * What a task that used up its attempts leaves unmigrated, as failure entries of its status — which the
 * job's status gathers into its failure list — under the code that says why: {@code TASK_FAILED} (its
 * task-level errors) or {@code HOLDERS_DIED} (its holders died without moving it forward). Files of an
 * inline list after the checkpoint are named one by one (up to the status bound); a manifest's rest is
 * named by its key and range; a Plan task by its directory; a Parts task by its file. A Failed task is
 * never folded away, so its spec (or manifest) stays the complete list; the job counts every file it
 * leaves as failed ({@code TaskCounts}).
 */
final class UnfinishedFiles {
    private UnfinishedFiles() {
    }

    static List<FileFailure> of(MigrationTask task, FailureCode code, String reason) {
        String name = code.name();
        MigrationTaskSpec spec = task.getSpec();
        MigrationTaskStatus status = task.getStatus();
        List<FileFailure> failures = new ArrayList<>(status == null || status.failures == null ? List.of() : status.failures);
        int room = MigrationTaskStatus.MAX_FAILURES_IN_STATUS - failures.size();
        if (room <= 0 || spec == null) {
            return failures;
        }
        if (spec.type == TaskType.Plan) {
            String directory = spec.plan == null || spec.plan.directory == null || spec.plan.directory.isEmpty()
                    ? "/" : spec.plan.directory;
            failures.add(new FileFailure(directory, name, "planning of this directory " + reason));
        } else if (spec.type == TaskType.Parts) {
            String path = spec.parts == null || spec.parts.file == null ? "?" : spec.parts.file.path;
            failures.add(new FileFailure(path, name, "parts " + (spec.parts == null ? "?" : spec.parts.firstPart + "-"
                    + spec.parts.lastPart) + " " + reason));
        } else if (spec.files != null) {
            int done = checkpoint(status);
            for (int i = done; i < spec.files.size() && room > 0; i++, room--) {
                FileEntry file = spec.files.get(i);
                failures.add(new FileFailure(file.path, name, reason));
            }
        } else if (spec.manifest != null) {
            failures.add(new FileFailure(spec.manifest.key, name, "files " + (checkpoint(status) + 1) + " to "
                    + spec.manifest.files + " of this manifest " + reason));
        }
        return failures;
    }

    private static int checkpoint(MigrationTaskStatus status) {
        if (status == null || status.progress == null || status.progress.checkpoint == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(status.progress.checkpoint));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
