package dev.ferry.worker.plan;

import dev.ferry.api.MigrationJob;
import dev.ferry.worker.config.JobSettings;
import dev.ferry.worker.multipart.MultipartUploads;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.task.StopSignal;
import dev.ferry.worker.task.TaskFence;
import java.util.function.Supplier;

/**
 * Everything one run of a Plan task works with, built by {@link PlanRunner}: the job and its parsed
 * settings, the plan's own task (name, fence, resumable state) and the collaborators that create tasks,
 * wait for room and start shared multipart uploads.
 *
 * @param store the job's gateways, asked for only when a manifest or finding is written or an upload started
 */
record PlanContext(
        MigrationJob job,
        JobSettings settings,
        String planName,
        TaskFence fence,
        PlanState state,
        PlanFindingsLog findings,
        StopSignal stop,
        Room room,
        TaskStore tasks,
        TaskFactory factory,
        ChildPlans children,
        MultipartUploads uploads,
        Supplier<EndpointPool> store,
        PlanHooks hooks) {
}
