package dev.ferry.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3MetricsTest {
    private static final URI GATEWAY = URI.create("http://key:secret@gw-1.example:9000");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final S3Metrics metrics = new S3Metrics(registry);

    @Test
    void timesCallsByEndpointOperationAndOutcomeWithoutTheUserInfoOfTheUrl() {
        S3Metrics.RequestTimers timers = metrics.timers(GATEWAY);
        timers.record("PutObject", TimeUnit.MILLISECONDS.toNanos(20), null);
        timers.record("PutObject", TimeUnit.MILLISECONDS.toNanos(40), null);
        timers.record("PutObject", 1, S3Exception.builder().statusCode(503).build());
        timers.record("HeadObject", 1, S3Exception.builder().statusCode(404).build());
        timers.record("UploadPart", 1, SdkClientException.create("connection refused"));

        assertThat(registry.get("ferry.s3.request").tag("endpoint", "http://gw-1.example:9000")
                .tag("operation", "PutObject").tag("outcome", "success").timer().count()).isEqualTo(2);
        assertThat(registry.get("ferry.s3.request").tag("operation", "PutObject").tag("outcome", "success").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(60);
        assertThat(registry.get("ferry.s3.request").tag("operation", "PutObject").tag("outcome", "server_error")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get("ferry.s3.request").tag("operation", "HeadObject").tag("outcome", "client_error")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get("ferry.s3.request").tag("operation", "UploadPart").tag("outcome", "no_response")
                .timer().count()).isEqualTo(1);
    }

    @Test
    void anEndpointIsUpWhileItsCircuitIsClosed() {
        AtomicBoolean closed = new AtomicBoolean(true);
        metrics.endpointUp(GATEWAY, closed::get);

        assertThat(registry.get("ferry.s3.endpoint.up").tag("endpoint", "http://gw-1.example:9000").gauge().value())
                .isEqualTo(1.0);
        closed.set(false);
        assertThat(registry.get("ferry.s3.endpoint.up").gauge().value()).isEqualTo(0.0);
    }
}
