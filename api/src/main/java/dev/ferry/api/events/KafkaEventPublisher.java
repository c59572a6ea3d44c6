package dev.ferry.api.events;

import dev.ferry.api.EventEncoding;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.CloudEventSerializer;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events to one Kafka topic with an idempotent producer ({@code acks=all}, at most five
 * requests in flight, so a partition keeps the order of one file's events). An event that the broker
 * does not acknowledge in time — the broker is down, the topic unknown, the network gone — is sent
 * again after a backoff, for as long as the publisher is open: nothing is dropped, and the producer's
 * own buffer stays bounded because at most {@link #MAX_IN_PRODUCER} events are handed to it at once.
 * A duplicate that this may cause carries the same id as the original.
 */
public final class KafkaEventPublisher implements EventPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaEventPublisher.class);
    /** Events handed to the producer and not yet answered; more wait in the queue. */
    static final int MAX_IN_PRODUCER = 10_000;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Duration WARN_EVERY = Duration.ofSeconds(30);

    private final Producer<String, CloudEvent> producer;
    private final String topic;
    private final DelayQueue<Pending> queue = new DelayQueue<>();
    /** Handed to the producer and not answered yet. */
    private final Set<Pending> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pending = new AtomicInteger();
    private final Semaphore inProducer = new Semaphore(MAX_IN_PRODUCER);
    private final AtomicLong lastWarning = new AtomicLong();
    private final Thread sender;
    private volatile boolean closed;

    KafkaEventPublisher(Producer<String, CloudEvent> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
        this.sender = new Thread(this::sendLoop, "ferry-events");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /**
     * A publisher to {@code topic} at {@code bootstrapServers}. {@code clientProperties} (from the Secret
     * that {@code spec.notifications.kafka.secret} names: TLS, SASL) come first; the delivery guarantees
     * are set over them, so no Secret can weaken them.
     */
    public static KafkaEventPublisher create(String bootstrapServers, String topic, EventEncoding encoding,
                                             Map<String, String> clientProperties, String clientId) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // an unanswered batch comes back to us within half a minute and is sent again; send() itself
        // never blocks a caller for long while the broker (or the topic's metadata) is away
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "5000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class.getName());
        props.put(CloudEventSerializer.ENCODING_CONFIG,
                encoding == EventEncoding.Binary ? Encoding.BINARY.name() : Encoding.STRUCTURED.name());
        props.put(CloudEventSerializer.EVENT_FORMAT_CONFIG, JsonFormat.CONTENT_TYPE);
        return new KafkaEventPublisher(new KafkaProducer<>(props), topic);
    }

    @Override
    public CompletableFuture<Void> publish(FerryEvent event) {
        Pending p = new Pending(event, new CompletableFuture<>());
        if (closed) {
            p.done.completeExceptionally(new CancellationException("the event publisher is closed"));
            return p.done;
        }
        pending.incrementAndGet();
        queue.add(p);
        if (closed && queue.remove(p)) { // closed meanwhile: close() may have failed the queue already
            p.done.completeExceptionally(new CancellationException("the event publisher is closed"));
        }
        return p.done;
    }

    @Override
    public int pending() {
        return pending.get();
    }

    private void sendLoop() {
        while (!closed) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                return; // closing: what is queued is failed by close()
            }
            try {
                inProducer.acquire();
            } catch (InterruptedException e) {
                p.done.completeExceptionally(new CancellationException("the event publisher closed"));
                return;
            }
            if (closed) {
                inProducer.release();
                p.done.completeExceptionally(new CancellationException("the event publisher closed"));
                return;
            }
            send(p);
        }
    }

    private void send(Pending p) {
        FerryEvent event = p.event;
        inFlight.add(p);
        try {
            producer.send(new ProducerRecord<>(topic, event.recordKey(), event.toCloudEvent()), (metadata, error) -> {
                inFlight.remove(p);
                inProducer.release();
                if (error == null) {
                    pending.decrementAndGet();
                    p.done.complete(null);
                } else {
                    retryLater(p, error);
                }
            });
        } catch (RuntimeException e) { // metadata not available within max.block.ms, a full buffer
            inFlight.remove(p);
            inProducer.release();
            retryLater(p, e);
        }
    }

    private void retryLater(Pending p, Throwable error) {
        if (closed) {
            p.done.completeExceptionally(new CancellationException("the event publisher closed before " + p.event.id()
                    + " was acknowledged"));
            return;
        }
        p.attempts++;
        long backoff = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(p.attempts - 1, 10));
        p.notBefore = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
        long now = System.currentTimeMillis();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY.toMillis() && lastWarning.compareAndSet(last, now)) {
            LOG.warn("Kafka has not acknowledged {} event(s) for topic {} ({}); sending them again until it does",
                    pending.get(), topic, error.toString());
        }
        queue.add(p);
    }

    /** Stops sending; events not yet acknowledged complete exceptionally (their callers did not advance). */
    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        try {
            sender.join(Duration.ofSeconds(10).toMillis()); // no hand-over to the producer races what follows
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5)); // answers what is in flight; a failure is not sent again now
        for (Object waiting : queue.toArray()) {
            ((Pending) waiting).done.completeExceptionally(new CancellationException("the event publisher closed"));
        }
        queue.clear();
        for (Pending unanswered : inFlight) {
            unanswered.done.completeExceptionally(new CancellationException("the event publisher closed"));
        }
        inFlight.clear();
    }

    /** An event waiting to be sent (again), ordered by when it may go. */
    private static final class Pending implements Delayed {
        final FerryEvent event;
        final CompletableFuture<Void> done;
        volatile long notBefore = System.nanoTime();
        int attempts;

        Pending(FerryEvent event, CompletableFuture<Void> done) {
            this.event = event;
            this.done = done;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(notBefore - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(notBefore, ((Pending) other).notBefore);
        }
    }
}
