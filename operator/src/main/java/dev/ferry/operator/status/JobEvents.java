package dev.ferry.operator.status;

import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.runtime.JobEventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;

/**
 * Records core/v1 Events on a job as the operator (what {@code kubectl describe mj} shows). An Event is a
 * courtesy: failing to record one is logged and never fails a reconcile.
 */
public final class JobEvents {
    private final JobEventRecorder recorder;

    public JobEvents(KubernetesClient client, Clock clock) {
        this.recorder = new JobEventRecorder(client, clock, Ferry.MANAGER, null);
    }

    public void normal(MigrationJob job, String reason, String message) {
        recorder.normal(job, reason, message);
    }

    public void warning(MigrationJob job, String reason, String message) {
        recorder.warning(job, reason, message);
    }
}
