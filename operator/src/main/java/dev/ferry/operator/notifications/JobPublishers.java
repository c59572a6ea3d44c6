package dev.ferry.operator.notifications;

import dev.ferry.api.KafkaSpec;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.events.EventPublisher;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publisher per job (by UID) that has {@code spec.notifications.kafka}, opened on first use with the
 * client properties of the Secret it names (all its keys), and replaced when the spec names another
 * target or, read again at most every {@link #SECRET_RECHECK} when an event is sent, the Secret's values
 * changed (a rotated SASL password or certificate: a producer with the old one would wait for the broker
 * for ever). Closing a publisher loses nothing: what it had not got acknowledged is sent again by the next
 * one, because the job's status says what Kafka acknowledged. Secret values appear nowhere: not in a
 * log line, not in the message of a failure (see {@link #scrub}).
 */
final class JobPublishers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobPublishers.class);
    /** Shorter values are scrubbed from no message: they could not hide anything, and would garble it. */
    private static final int SHORTEST_SCRUBBED = 3;

    /** How long the Secret's values a publisher was opened with are trusted before they are read again. */
    static final Duration SECRET_RECHECK = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final PublisherFactory factory;
    private final Clock clock;
    private final Map<String, Opened> byUid = new ConcurrentHashMap<>();

    /** A job's publisher, the spec and the Secret's values it was opened with, and when they were last read. */
    private record Opened(String spec, Map<String, String> properties, Instant read, EventPublisher publisher) {
        Opened readAt(Instant now) {
            return new Opened(spec, properties, now, publisher);
        }
    }

    JobPublishers(KubernetesClient client, PublisherFactory factory) {
        this(client, factory, Clock.systemUTC());
    }

    JobPublishers(KubernetesClient client, PublisherFactory factory, Clock clock) {
        this.client = client;
        this.factory = factory;
        this.clock = clock;
    }

    /** The job's publisher; the job must have {@code spec.notifications.kafka}. */
    EventPublisher of(MigrationJob job) throws PublisherUnavailable {
        String uid = job.getMetadata().getUid();
        KafkaSpec kafka = job.getSpec().notifications.kafka;
        String spec = String.join("\0", kafka.bootstrapServers, kafka.topic, kafka.modeOrDefault().name(),
                kafka.secret == null ? "" : kafka.secret);
        Opened opened = byUid.get(uid);
        Instant now = clock.instant();
        String namespace = job.getMetadata().getNamespace();
        if (opened != null && opened.spec().equals(spec)) {
            if (now.isBefore(opened.read().plus(SECRET_RECHECK))) {
                return opened.publisher();
            }
            Map<String, String> properties;
            try {
                properties = clientProperties(namespace, kafka.secret);
            } catch (PublisherUnavailable | KubernetesClientException e) {
                // the Secret is gone or cannot be read: the open producer still has what it needs
                byUid.put(uid, opened.readAt(now));
                return opened.publisher();
            }
            if (properties.equals(opened.properties())) {
                byUid.put(uid, opened.readAt(now));
                return opened.publisher();
            }
            LOG.info("job {}/{}: the values of its Kafka Secret changed; opening its publisher again", namespace,
                    job.getMetadata().getName());
        }
        close(uid); // another target or other values: its unacknowledged events go to the new one
        Map<String, String> properties = clientProperties(namespace, kafka.secret);
        Opened fresh = new Opened(spec, properties, now, open(job, kafka, properties));
        byUid.put(uid, fresh);
        return fresh.publisher();
    }

    private EventPublisher open(MigrationJob job, KafkaSpec kafka, Map<String, String> properties)
            throws PublisherUnavailable {
        String namespace = job.getMetadata().getNamespace();
        KafkaTarget target = new KafkaTarget(kafka.bootstrapServers, kafka.topic, kafka.modeOrDefault(), properties,
                "ferry-operator-" + namespace + "-" + job.getMetadata().getName());
        try {
            EventPublisher publisher = factory.open(target);
            LOG.info("job {}/{}: publishing its job events to {}", namespace, job.getMetadata().getName(), target);
            return publisher;
        } catch (RuntimeException e) {
            // Kafka's messages may quote a property's value (e.g. "Invalid value ... for configuration ...").
            throw new PublisherUnavailable("the Kafka client cannot be created: " + scrub(describe(e), properties.values()));
        }
    }

    /** Every key of the Secret, from {@code data} (base64) or {@code stringData}; none without a Secret. */
    private Map<String, String> clientProperties(String namespace, String secretName) throws PublisherUnavailable {
        Map<String, String> properties = new HashMap<>();
        if (secretName == null || secretName.isBlank()) {
            return properties;
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
            throw new PublisherUnavailable("Kafka Secret '" + secretName + "' not found in namespace " + namespace);
        }
        if (secret.getStringData() != null) {
            properties.putAll(secret.getStringData());
        }
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> properties.put(key,
                    new String(Base64.getDecoder().decode(value.strip()), StandardCharsets.UTF_8)));
        }
        return properties;
    }

    boolean isOpen(String uid) {
        return byUid.containsKey(uid);
    }

    /** Closes the job's publisher, if it has one; what it had not got acknowledged completes exceptionally. */
    void close(String uid) {
        Opened opened = byUid.remove(uid);
        if (opened != null) {
            opened.publisher().close();
        }
    }

    /** Closes the publishers of jobs that are gone. */
    void retainOnly(Predicate<String> jobUidExists) {
        for (String uid : List.copyOf(byUid.keySet())) {
            if (!jobUidExists.test(uid)) {
                close(uid);
            }
        }
    }

    @Override
    public void close() {
        List.copyOf(byUid.keySet()).forEach(this::close);
    }

    /** The exception and its causes, one message each: Kafka wraps the telling one. */
    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString());
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString();
    }

    /** {@code text} with each of {@code secrets} (the longest first, so no part of one survives) replaced by ***. */
    static String scrub(String text, Collection<String> secrets) {
        String scrubbed = text;
        List<String> longestFirst = secrets.stream().filter(s -> s != null && s.strip().length() >= SHORTEST_SCRUBBED)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        for (String secret : longestFirst) {
            scrubbed = scrubbed.replace(secret, "***");
            if (!secret.strip().equals(secret)) {
                scrubbed = scrubbed.replace(secret.strip(), "***");
            }
        }
        return scrubbed;
    }

    /** The job's events cannot be sent now; the message names no secret value. */
    static final class PublisherUnavailable extends Exception {
        PublisherUnavailable(String message) {
            super(message);
        }
    }
}
