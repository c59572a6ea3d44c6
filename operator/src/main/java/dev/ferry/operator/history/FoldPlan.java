package dev.ferry.operator.history;

import dev.ferry.api.Ferry;
import dev.ferry.api.FileFailure;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.MigrationTaskStatus;
import dev.ferry.api.TaskPhase;
import dev.ferry.api.TaskType;
import dev.ferry.operator.state.Tasks;
import dev.ferry.operator.status.FailureSample;
import dev.ferry.operator.status.TaskCounts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which Succeeded tasks to fold next, and what folding one adds to the job's history. Pure functions of
 * the observed tasks, so they are tested without an API server.
 *
 * <p>Only Succeeded tasks are folded: Failed tasks are the failure report and stay. The newest
 * {@code historyLimit} Succeeded tasks stay as objects; of the older ones, at most {@code batch} are
 * taken per fold, oldest first (by their last heartbeat, the moment they finished; else by creation).
 *
 * <p>A Succeeded task with failed files is folded only once the job's failure sample shows them (or is full):
 * the fold adds its count to {@code folded.files.failed}, and the sample keeps what it showed
 * ({@code FailureSample}), so no failed file leaves the job's report with its task.
 *
 * <p>A task {@code <plan>-<n>} is not folded while its plan runs and has not yet recorded it
 * ({@code progress.tasksCreated < n}): a plan that crashed between creating the task and recording it
 * creates it again on its next run; were it deleted by then, its files would be copied and counted twice.
 */
public final class FoldPlan {
    /** Names of tasks created by a plan: {@code <plan>-<n>} with n of five or more digits. */
    private static final Pattern CREATED_BY_PLAN = Pattern.compile("^(.+)-(\\d{5,})$");

    private FoldPlan() {
    }

    /**
     * The oldest foldable Succeeded tasks beyond the history limit, at most {@code batch}, oldest first.
     *
     * @param failureSample the job's {@code status.failures} as written
     */
    public static List<MigrationTask> nextBatch(Collection<MigrationTask> tasks, Set<String> deleting, int historyLimit,
            int batch, List<FileFailure> failureSample) {
        List<MigrationTask> foldable = tasks.stream()
                .filter(t -> Tasks.phase(t) == TaskPhase.Succeeded)
                .filter(t -> Tasks.type(t) != TaskType.Audit) // the job's result reads it
                .filter(t -> !deleting.contains(t.getMetadata().getName()))
                .toList();
        int excess = foldable.size() - Math.max(0, historyLimit);
        if (excess <= 0 || batch <= 0) {
            return List.of();
        }
        // Each task's time read once, not at every comparison: this runs at every reconcile of a job.
        List<MigrationTask> succeeded = foldable.stream()
                .map(t -> Map.entry(finishedAt(t), t))
                .sorted(Map.Entry.<Instant, MigrationTask>comparingByKey()
                        .thenComparing(e -> e.getValue().getMetadata().getName()))
                .map(Map.Entry::getValue)
                .toList();
        Map<String, MigrationTask> byName = tasks.stream()
                .collect(Collectors.toMap(t -> t.getMetadata().getName(), Function.identity(), (a, b) -> a));
        List<MigrationTask> chosen = new ArrayList<>();
        for (MigrationTask task : succeeded.subList(0, excess)) {
            if (chosen.size() >= batch) {
                break;
            }
            if (recordedByItsPlan(task, byName) && FailureSample.holds(failureSample, task.getStatus().failures)) {
                chosen.add(task);
            }
        }
        return chosen;
    }

    /** Adds a Succeeded task's counts to the folded counters, as the aggregator would have counted it. */
    public static void add(MigrationJobStatus.Folded folded, MigrationTask task) {
        folded.tasks++;
        if (Tasks.type(task) == TaskType.Plan) {
            folded.plans++;
        }
        TaskCounts.add(folded.files, folded.bytes, task);
    }

    /**
     * False for a task whose plan still runs and has not recorded it in its progress: that plan may
     * create it again. A plan that finished, or is gone (folded), creates nothing more. The plan is named
     * by the task's {@code ferry.dev/plan} annotation, else by its name {@code <plan>-<n>}; a task of a
     * running plan whose name carries no such number waits for the plan to finish.
     */
    static boolean recordedByItsPlan(MigrationTask task, Map<String, MigrationTask> byName) {
        String name = task.getMetadata().getName();
        Map<String, String> annotations = task.getMetadata().getAnnotations();
        String planName = annotations == null ? null : annotations.get(Ferry.PLAN_ANNOTATION);
        Matcher numbered = CREATED_BY_PLAN.matcher(name);
        if (planName == null && numbered.matches()) {
            planName = numbered.group(1);
        }
        MigrationTask plan = planName == null ? null : byName.get(planName);
        if (plan == null || Tasks.type(plan) != TaskType.Plan || Tasks.phase(plan).isFinished()) {
            return true;
        }
        if (!numbered.matches() || !numbered.group(1).equals(planName)) {
            return false;
        }
        MigrationTaskStatus.Progress progress = plan.getStatus() == null ? null : plan.getStatus().progress;
        Integer created = progress == null ? null : progress.tasksCreated;
        try {
            return created != null && created >= Long.parseLong(numbered.group(2));
        } catch (NumberFormatException e) {
            return false; // more digits than a long: not a number a plan wrote
        }
    }

    /** The task's last heartbeat (its holder's last write: Succeeded), else its creation, else the epoch. */
    static Instant finishedAt(MigrationTask task) {
        String heartbeat = task.getStatus() == null ? null : task.getStatus().heartbeat;
        return Tasks.parse(heartbeat).or(() -> Tasks.parse(task.getMetadata().getCreationTimestamp()))
                .orElse(Instant.EPOCH);
    }
}
