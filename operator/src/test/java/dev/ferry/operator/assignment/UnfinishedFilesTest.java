package dev.ferry.operator.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FailureCode;
import dev.ferry.api.FileEntry;
import dev.ferry.api.FileFailure;
import dev.ferry.api.ManifestRef;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskSpec;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A task the operator gives up on lists what it leaves unmigrated, so the job's failure report is complete. */
class UnfinishedFilesTest {
    @Test
    void namesEachFileOfAnInlineListAfterTheCheckpoint() {
        MigrationTask task = copyTask(List.of(new FileEntry("a", 1, 1), new FileEntry("b", 1, 1), new FileEntry("c", 1, 1)));
        task.getStatus().progress = new MigrationTaskStatus.Progress();
        task.getStatus().progress.checkpoint = "1";

        List<FileFailure> failures = UnfinishedFiles.of(task, FailureCode.TASK_FAILED, "gave up");

        assertThat(failures).extracting(f -> f.path).containsExactly("b", "c");
        assertThat(failures).allSatisfy(f -> assertThat(f.code).isEqualTo("TASK_FAILED"));
    }

    @Test
    void keepsTheFailuresTheHolderRecordedAndStaysWithinTheBound() {
        List<FileEntry> files = IntStream.range(0, 200).mapToObj(i -> new FileEntry("f" + i, 1, 1)).toList();
        MigrationTask task = copyTask(files);
        task.getStatus().failures = new ArrayList<>(List.of(new FileFailure("x", "SOURCE_CHANGED", "m")));

        List<FileFailure> failures = UnfinishedFiles.of(task, FailureCode.TASK_FAILED, "gave up");

        assertThat(failures).hasSize(MigrationTaskStatus.MAX_FAILURES_IN_STATUS);
        assertThat(failures.get(0).code).isEqualTo("SOURCE_CHANGED");
    }

    @Test
    void namesTheManifestAndTheRangeOfALargeTask() {
        MigrationTask task = copyTask(null);
        task.getSpec().manifest = new ManifestRef();
        task.getSpec().manifest.key = "p/.ferry/uid/manifests/t.jsonl";
        task.getSpec().manifest.files = 300;

        List<FileFailure> failures = UnfinishedFiles.of(task, FailureCode.TASK_FAILED, "gave up");

        assertThat(failures).singleElement().satisfies(f -> {
            assertThat(f.path).isEqualTo("p/.ferry/uid/manifests/t.jsonl");
            assertThat(f.message).contains("files 1 to 300");
        });
    }

    private static MigrationTask copyTask(List<FileEntry> files) {
        MigrationTask task = new MigrationTask();
        task.setSpec(new MigrationTaskSpec());
        task.getSpec().type = TaskType.Copy;
        task.getSpec().files = files;
        task.setStatus(new MigrationTaskStatus());
        return task;
    }
}
