package dev.ferry.worker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * The store as the worker meets it: {@code ferry_s3_request_seconds{endpoint,operation,outcome}}, the time
 * of each S3 call as the copy waits for it (the SDK's own retries included), and
 * {@code ferry_s3_endpoint_up{endpoint}}, 1 while an endpoint's circuit is closed. Endpoints are named by
 * their URL without user info; operations by the SDK's names (PutObject, UploadPart, ...). Labels stay
 * bounded: the job's endpoints, S3's operations and four outcomes.
 */
public final class S3Metrics {
    /** Counts nothing: pools built outside a worker process (tests, tools). */
    public static final S3Metrics NONE = new S3Metrics(new CompositeMeterRegistry());

    /** Where a call ended: answered 2xx, 4xx, 5xx (or throttled), or without an answer (connection, timeout). */
    enum Outcome { SUCCESS, CLIENT_ERROR, SERVER_ERROR, NO_RESPONSE }

    private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("FerryRequestStartedNanos");

    private final MeterRegistry registry;

    public S3Metrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The name of an endpoint in labels: its URL without user info, query or fragment. */
    public static String endpointName(URI uri) {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getHost() + port + path;
    }

    /** Times every call of the S3 client of {@code endpoint}: add it to the client's configuration. */
    public ExecutionInterceptor interceptor(URI endpoint) {
        return new RequestTimer(timers(endpoint));
    }

    /** The timers of calls that bypass the SDK's pipeline (the signed single PUTs) at {@code endpoint}. */
    public RequestTimers timers(URI endpoint) {
        return new RequestTimers(registry, endpointName(endpoint));
    }

    /** {@code ferry_s3_endpoint_up{endpoint}}: 1 while {@code up} says the endpoint takes requests, else 0. */
    public void endpointUp(URI endpoint, BooleanSupplier up) {
        Gauge.builder("ferry.s3.endpoint.up", up, u -> u.getAsBoolean() ? 1 : 0)
                .tag("endpoint", endpointName(endpoint))
                .description("1 while the endpoint's circuit is closed (it takes requests), 0 while it is open")
                // the supplier is referenced by nothing else: a weak reference would lose it at the next GC
                .strongReference(true)
                .register(registry);
    }

    /** The timers of one endpoint, one per operation and outcome, made once and then only looked up. */
    public static final class RequestTimers {
        private final MeterRegistry registry;
        private final String endpoint;
        private final Map<String, Timer[]> byOperation = new ConcurrentHashMap<>();

        RequestTimers(MeterRegistry registry, String endpoint) {
            this.registry = registry;
            this.endpoint = endpoint;
        }

        /** One call of {@code operation} that took {@code nanos}; {@code failure} null when it succeeded. */
        public void record(String operation, long nanos, Throwable failure) {
            Outcome outcome = failure == null ? Outcome.SUCCESS : outcomeOf(failure);
            byOperation.computeIfAbsent(operation, this::timersOf)[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
        }

        private Timer[] timersOf(String operation) {
            Timer[] timers = new Timer[Outcome.values().length];
            for (Outcome outcome : Outcome.values()) {
                timers[outcome.ordinal()] = Timer.builder("ferry.s3.request")
                        .tag("endpoint", endpoint).tag("operation", operation)
                        .tag("outcome", outcome.name().toLowerCase())
                        .description("S3 calls as the copy waits for them, the SDK's retries included")
                        .register(registry);
            }
            return timers;
        }

        private static Outcome outcomeOf(Throwable failure) {
            if (failure instanceof SdkServiceException service && service.statusCode() > 0) {
                return service.statusCode() >= 500 || service.isThrottlingException() ? Outcome.SERVER_ERROR
                        : Outcome.CLIENT_ERROR;
            }
            return Outcome.NO_RESPONSE;
        }
    }

    /** The SDK's hook around each call (its execution, retries included). */
    private static final class RequestTimer implements ExecutionInterceptor {
        private final RequestTimers timers;

        RequestTimer(RequestTimers timers) {
            this.timers = timers;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            attributes.putAttribute(STARTED, System.nanoTime());
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            record(attributes, null);
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            record(attributes, context.exception());
        }

        private void record(ExecutionAttributes attributes, Throwable failure) {
            Long started = attributes.getAttribute(STARTED);
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            if (started != null && operation != null) {
                timers.record(operation, System.nanoTime() - started, failure);
            }
        }
    }
}
