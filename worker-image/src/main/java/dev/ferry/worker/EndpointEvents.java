package dev.ferry.worker;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.runtime.JobEventRecorder;
import dev.ferry.worker.s3.EndpointPool;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;

/**
 * A gateway leaving or rejoining this worker's rotation, as Events on the job: {@value #ENDPOINT_DOWN}
 * (Warning) and {@value #ENDPOINT_UP} (Normal). Per transition, never per request, and at most one of
 * each kind per endpoint per {@link #MIN_INTERVAL} from this worker, so a flapping gateway does not fill
 * the job's events. Recorded off the copying threads: a slow API never holds up a copy.
 */
final class EndpointEvents implements EndpointPool.Transitions, AutoCloseable {
    static final String ENDPOINT_DOWN = "EndpointDown";
    static final String ENDPOINT_UP = "EndpointUp";
    static final Duration MIN_INTERVAL = Duration.ofMinutes(1);

    private final JobEventRecorder recorder;
    private final MigrationJob job;
    private final String worker;
    private final Clock clock;
    private final Map<String, Instant> lastRecorded = new ConcurrentHashMap<>();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            BasicThreadFactory.builder().namingPattern("ferry-endpoint-events").daemon(true).build());

    EndpointEvents(JobEventRecorder recorder, MigrationJob job, String worker, Clock clock) {
        this.recorder = recorder;
        this.job = job;
        this.worker = worker;
        this.clock = clock;
    }

    @Override
    public void down(URI endpoint, String cause) {
        if (due(ENDPOINT_DOWN, endpoint)) {
            sender.execute(() -> recorder.warning(job, ENDPOINT_DOWN, "endpoint " + endpoint + " left the rotation of "
                    + worker + ": " + cause + "; its requests go to the other endpoints until it answers again"));
        }
    }

    @Override
    public void up(URI endpoint) {
        if (due(ENDPOINT_UP, endpoint)) {
            sender.execute(() -> recorder.normal(job, ENDPOINT_UP, "endpoint " + endpoint
                    + " answers again: back in the rotation of " + worker));
        }
    }

    private boolean due(String reason, URI endpoint) {
        Instant now = clock.instant();
        boolean[] due = {false};
        lastRecorded.compute(reason + " " + endpoint, (key, last) -> {
            due[0] = last == null || !now.isBefore(last.plus(MIN_INTERVAL));
            return due[0] ? now : last;
        });
        return due[0];
    }

    @Override
    public void close() {
        sender.shutdown();
    }
}
