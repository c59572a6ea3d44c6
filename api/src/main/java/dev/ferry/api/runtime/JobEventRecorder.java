package dev.ferry.api.runtime;

import dev.ferry.api.MigrationJob;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records core/v1 Events on a MigrationJob (what {@code kubectl describe mj} and {@code kubectl get events}
 * show), for the operator and the workers alike. An Event is a courtesy: failing to record one is logged
 * and never fails the caller.
 */
public final class JobEventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(JobEventRecorder.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final String component;
    private final String host;

    /** {@code component}: who reports (source.component); {@code host}: where (a pod's name), or null. */
    public JobEventRecorder(KubernetesClient client, Clock clock, String component, String host) {
        this.client = client;
        this.clock = clock;
        this.component = component;
        this.host = host;
    }

    public void normal(MigrationJob job, String reason, String message) {
        record(job, "Normal", reason, message);
    }

    public void warning(MigrationJob job, String reason, String message) {
        record(job, "Warning", reason, message);
    }

    private void record(MigrationJob job, String type, String reason, String message) {
        String now = clock.instant().toString();
        // Named like kubectl's recorder does: the object's name and a unique suffix.
        String name = job.getMetadata().getName() + "." + Long.toHexString(clock.millis())
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        Event event = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(job.getMetadata().getNamespace()).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(job.getApiVersion())
                        .withKind(job.getKind())
                        .withName(job.getMetadata().getName())
                        .withNamespace(job.getMetadata().getNamespace())
                        .withUid(job.getMetadata().getUid())
                        .build())
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent(component).withHost(host).endSource()
                .withReportingComponent(component)
                .withReportingInstance(host)
                .build();
        try {
            client.v1().events().inNamespace(job.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.debug("could not record event {} on {}", reason, job.getMetadata().getName(), e);
        }
    }
}
