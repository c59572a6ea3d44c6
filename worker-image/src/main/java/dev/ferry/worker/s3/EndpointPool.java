package dev.ferry.worker.s3;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.commons.lang3.concurrent.BasicThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The gateways of one store ({@code spec.destination.endpoints}), one S3 client each. Every S3 call
 * of a copy goes through {@link #call}: requests are spread round robin over the healthy gateways; a
 * failure of the gateway itself (no connection, 5xx, throttling: {@link S3Errors.ErrorClass#opensCircuit})
 * opens its circuit and the request is retried at once on another gateway. A gateway with an open
 * circuit gets no requests; after a cool-down a probe (HeadBucket) is sent every probe interval and
 * the first answer closes the circuit again. Errors about the request (403, 404, 400) pass through
 * unchanged: every gateway of the store would give the same answer.
 *
 * <p>With one endpoint the pool is a plain pass-through: no probe thread, no extra call.
 */
public final class EndpointPool implements AutoCloseable {
    private static final ThreadLocal<URI> LAST_SERVED = new ThreadLocal<>();
    private static final Logger LOG = LoggerFactory.getLogger(EndpointPool.class);

    /** Told when a gateway leaves the rotation and when it is back (the job's EndpointDown/EndpointUp events). */
    public interface Transitions {
        Transitions NONE = new Transitions() {
            @Override
            public void down(URI endpoint, String cause) {
            }

            @Override
            public void up(URI endpoint) {
            }
        };

        void down(URI endpoint, String cause);

        void up(URI endpoint);
    }

    /** How long an opened circuit stays open at least, and how often it is probed afterwards. */
    public record Settings(Duration coolDown, Duration probeInterval, Duration allOpenPause) {
        public static final Settings DEFAULT =
                new Settings(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMillis(250));
    }

    private final List<Endpoint> endpoints;
    private final String bucket;
    private final Settings settings;
    private final AtomicInteger next = new AtomicInteger();
    private final ScheduledExecutorService prober;
    private volatile Transitions transitions = Transitions.NONE;

    public EndpointPool(List<URI> uris, Function<URI, S3Gateway> gateways, String bucket, Settings settings) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("an endpoint pool needs at least one endpoint");
        }
        List<Endpoint> list = new ArrayList<>();
        for (URI uri : uris) {
            list.add(new Endpoint(uri, gateways.apply(uri)));
        }
        this.endpoints = List.copyOf(list);
        this.bucket = bucket;
        this.settings = settings;
        if (endpoints.size() > 1) {
            this.prober = Executors.newSingleThreadScheduledExecutor(
                BasicThreadFactory.builder().namingPattern("ferry-endpoint-probe").daemon(true).build());
            long every = settings.probeInterval().toMillis();
            prober.scheduleWithFixedDelay(this::probeOpenCircuits, every, every, TimeUnit.MILLISECONDS);
        } else {
            this.prober = null;
        }
    }

    /** A pool of a single client (no failover): what a job with one endpoint, or none, gets. */
    public static EndpointPool of(URI uri, S3Client client) {
        return of(uri, new S3Gateway(client));
    }

    /** A pool of a single gateway (no failover). */
    public static EndpointPool of(URI uri, S3Gateway gateway) {
        return new EndpointPool(List.of(uri), u -> gateway, null, Settings.DEFAULT);
    }

    /**
     * The gateway that answered the last request this thread sent through any pool: what a file's
     * event names as the endpoint its object was written through.
     */
    public static URI lastServedOnThisThread() {
        return LAST_SERVED.get();
    }

    /**
     * Sends one request. Retries it on another gateway when a gateway fails; throws the last failure
     * when every gateway failed it (or at once for an error that is about the request), and
     * {@link StoreUnreachableException} when no gateway could be reached at all (with one endpoint: when
     * it cannot be reached).
     */
    public <T> T call(Function<S3Client, T> request) {
        return callGateway(gateway -> request.apply(gateway.client()));
    }

    /** As {@link #call}, for requests that take the whole gateway (the single PUTs, see {@link S3Gateway}). */
    public <T> T callGateway(Function<S3Gateway, T> request) {
        if (prober == null) {
            Endpoint only = endpoints.get(0);
            T result;
            try {
                result = request.apply(only.gateway);
            } catch (SdkException e) {
                throw S3Errors.noConnection(e) ? new StoreUnreachableException(1, e) : e;
            }
            only.served.incrementAndGet();
            LAST_SERVED.set(only.uri);
            return result;
        }
        SdkException last = null;
        boolean answered = false;
        int attempts = endpoints.size() + 2;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            Endpoint endpoint = nextHealthy();
            if (endpoint == null) {
                // every circuit is open: wait a little, then try the one that failed first
                if (!pause()) {
                    break;
                }
                endpoint = longestOpen();
            }
            try {
                T result = request.apply(endpoint.gateway);
                endpoint.served.incrementAndGet();
                LAST_SERVED.set(endpoint.uri);
                return result;
            } catch (SdkException e) {
                if (!S3Errors.opensCircuit(e)) {
                    throw e;
                }
                open(endpoint, e);
                last = e;
                answered |= !S3Errors.noConnection(e);
            }
        }
        if (last == null) {
            throw SdkClientException.create("interrupted while every gateway was out of rotation");
        }
        // no gateway could even be reached: the store is out, not this request (a 5xx from every
        // gateway may be about one object, and is left to the file's retries)
        throw answered ? last : new StoreUnreachableException(endpoints.size(), last);
    }

    /** Requests answered by the gateway at {@code uri} so far (the pool's own count). */
    public long served(URI uri) {
        return endpoint(uri).served.get();
    }

    /** True when the gateway at {@code uri} takes requests (its circuit is closed). */
    public boolean healthy(URI uri) {
        return !endpoint(uri).open;
    }

    public List<URI> endpoints() {
        return endpoints.stream().map(e -> e.uri).toList();
    }

    private Endpoint nextHealthy() {
        int n = endpoints.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Endpoint candidate = endpoints.get((start + i) % n);
            if (!candidate.open) {
                return candidate;
            }
        }
        return null;
    }

    private Endpoint longestOpen() {
        Endpoint oldest = endpoints.get(0);
        for (Endpoint e : endpoints) {
            if (e.openedAtNanos < oldest.openedAtNanos) {
                oldest = e;
            }
        }
        return oldest;
    }

    private boolean pause() {
        try {
            Thread.sleep(settings.allOpenPause().toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Who hears of gateways leaving and rejoining the rotation (called outside the pool's locks). */
    public void onTransitions(Transitions value) {
        this.transitions = value == null ? Transitions.NONE : value;
    }

    private void open(Endpoint endpoint, SdkException cause) {
        boolean opened = false;
        synchronized (endpoint) {
            if (!endpoint.open) {
                endpoint.openedAtNanos = System.nanoTime();
                endpoint.open = true;
                opened = true;
                LOG.warn("endpoint {} taken out of rotation for at least {}: {}", endpoint.uri,
                        settings.coolDown(), S3Errors.describe(cause));
            }
        }
        if (opened) {
            transitions.down(endpoint.uri, S3Errors.describe(cause));
        }
    }

    private void probeOpenCircuits() {
        for (Endpoint endpoint : endpoints) {
            if (!endpoint.open
                    || System.nanoTime() - endpoint.openedAtNanos < settings.coolDown().toNanos()) {
                continue;
            }
            try {
                endpoint.gateway.client().headBucket(b -> b.bucket(bucket));
                close(endpoint);
            } catch (SdkException e) {
                if (!S3Errors.opensCircuit(e)) {
                    close(endpoint); // the gateway answered; what it said is about the request
                } else {
                    LOG.debug("endpoint {} still failing: {}", endpoint.uri, e.toString());
                }
            } catch (RuntimeException e) {
                LOG.warn("probe of endpoint {} failed unexpectedly: {}", endpoint.uri, e.toString());
            }
        }
    }

    private void close(Endpoint endpoint) {
        boolean closed = false;
        synchronized (endpoint) {
            if (endpoint.open) {
                endpoint.open = false;
                closed = true;
                LOG.info("endpoint {} answers its probe again: back in rotation", endpoint.uri);
            }
        }
        if (closed) {
            transitions.up(endpoint.uri);
        }
    }

    private Endpoint endpoint(URI uri) {
        return endpoints.stream().filter(e -> e.uri.equals(uri)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an endpoint of this pool: " + uri));
    }

    @Override
    public void close() {
        if (prober != null) {
            prober.shutdownNow();
        }
        endpoints.stream().map(e -> e.gateway).distinct().forEach(S3Gateway::close);
    }

    /** One gateway: its clients and its circuit. */
    private static final class Endpoint {
        final URI uri;
        final S3Gateway gateway;
        final AtomicLong served = new AtomicLong();
        volatile boolean open;
        volatile long openedAtNanos;

        Endpoint(URI uri, S3Gateway gateway) {
            this.uri = uri;
            this.gateway = gateway;
        }
    }
}
