package dev.ferry.operator.workers;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.runtime.SecretValues;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A digest of the Secret values a worker is started with: the S3 credentials, the endpoint's CA and the Kafka
 * client properties reach it as environment variables, which the kubelet resolves once, when the container
 * starts. The digest is an annotation of the pod template ({@link #DIGEST_ANNOTATION}), so a Secret that was
 * fixed (a wrong key: the tasks wait with {@code S3_AUTH_FAILED}) or rotated (a session token that expires
 * during a migration of days) changes the template and the Deployment replaces its pods: their tasks are
 * handed to the new ones, which start with the new values. Without it a worker kept the values it started with
 * until someone restarted it by hand.
 *
 * <p>Only the values the workers get count (not the Secrets' labels or other keys of the credentials Secret),
 * so nothing else rolls the workers. The Secrets of a job are read at most once per {@link #RECHECK} (a
 * running job is reconciled on every change of one of its tasks), or per {@link #RECHECK_WHILE_REFUSED} while the
 * store refuses its credentials. A Secret that cannot be read (deleted,
 * forbidden) leaves the digest the workers have: starting new pods would fail on it (a missing Secret is a
 * {@code CreateContainerConfigError}), while the running ones still hold what they need.
 */
public final class WorkerSecrets {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerSecrets.class);

    /** On the worker pod template: a digest (SHA-256, 128 bits in hex) of the Secret values its container gets. */
    public static final String DIGEST_ANNOTATION = "ferry.dev/secrets-digest";
    /** How long the digest read for a job is used before its Secrets are read again. */
    public static final Duration RECHECK = Duration.ofSeconds(30);
    /**
     * As {@link #RECHECK} while the store refuses the workers' credentials: the fix is most likely a change of
     * the Secret, and the job should go on within seconds of it.
     */
    public static final Duration RECHECK_WHILE_REFUSED = Duration.ofSeconds(5);
    /** More jobs than one operator runs at once: past it the memory of what was read starts over. */
    static final int JOBS_REMEMBERED = 10_000;

    private final KubernetesClient client;
    /** By job UID: the digest read, and when. */
    private final Map<String, Read> read = new ConcurrentHashMap<>();

    private record Read(String digest, Instant at) {
    }

    public WorkerSecrets(KubernetesClient client) {
        this.client = client;
    }

    /**
     * The digest for the job's workers now: read again when the last read is {@link #RECHECK} old, or
     * {@link #RECHECK_WHILE_REFUSED} old when {@code credentialsRefused} says so; the one the existing
     * Deployment's template carries when a Secret cannot be read; empty when there is neither.
     */
    public Optional<String> digest(MigrationJob job, Deployment existing, Instant now, BooleanSupplier credentialsRefused) {
        String uid = job.getMetadata().getUid();
        Read last = uid == null ? null : read.get(uid);
        if (last != null && now.isBefore(last.at().plus(RECHECK_WHILE_REFUSED))) {
            return Optional.of(last.digest());
        }
        // asked only past the short recheck: it looks at every task of the job
        if (last != null && now.isBefore(last.at().plus(RECHECK)) && !credentialsRefused.getAsBoolean()) {
            return Optional.of(last.digest());
        }
        // a Secret that cannot be read: the pods keep what they have, and it is not asked for again at once
        Optional<String> current = readDigest(job).or(() -> current(existing));
        if (uid != null && current.isPresent()) {
            if (read.size() >= JOBS_REMEMBERED) {
                read.clear();
            }
            read.put(uid, new Read(current.get(), now));
        }
        return current;
    }

    /** The digest the Deployment's pods were started with, if it has one. */
    public static Optional<String> current(Deployment deployment) {
        if (deployment == null || deployment.getSpec() == null || deployment.getSpec().getTemplate() == null
                || deployment.getSpec().getTemplate().getMetadata() == null
                || deployment.getSpec().getTemplate().getMetadata().getAnnotations() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(deployment.getSpec().getTemplate().getMetadata().getAnnotations().get(DIGEST_ANNOTATION));
    }

    /** The job is gone: nothing of it is kept. */
    public void forget(String jobUid) {
        if (jobUid != null) {
            read.remove(jobUid);
        }
    }

    /** Empty when one of the Secrets cannot be read. */
    private Optional<String> readDigest(MigrationJob job) {
        MigrationJobSpec spec = job.getSpec();
        DestinationSpec destination = spec.destination;
        String namespace = job.getMetadata().getNamespace();
        MessageDigest sha256 = sha256();
        try {
            if (destination.credentialsSecret != null && !destination.credentialsSecret.isBlank()) {
                Secret credentials = secret(namespace, destination.credentialsSecret);
                if (credentials == null) {
                    return Optional.empty();
                }
                for (String key : new String[] {Ferry.SECRET_ACCESS_KEY_ID, Ferry.SECRET_SECRET_ACCESS_KEY,
                        Ferry.SECRET_SESSION_TOKEN}) {
                    add(sha256, "credentials", key, SecretValues.value(credentials, key));
                }
            } // else the workers' own identity: no Secret of theirs to follow
            if (destination.endpointCA != null) {
                Secret ca = secret(namespace, destination.endpointCA.name);
                if (ca == null) {
                    return Optional.empty();
                }
                add(sha256, "endpointCA", destination.endpointCA.keyOrDefault(),
                        SecretValues.value(ca, destination.endpointCA.keyOrDefault()));
            }
            String kafkaSecret = spec.notifications == null || spec.notifications.kafka == null ? null
                    : spec.notifications.kafka.secret;
            if (kafkaSecret != null && !kafkaSecret.isBlank()) {
                Secret kafka = secret(namespace, kafkaSecret);
                if (kafka == null) {
                    return Optional.empty();
                }
                for (String key : SecretValues.keys(kafka)) { // every key: the worker gets them all (envFrom)
                    add(sha256, "kafka", key, SecretValues.value(kafka, key));
                }
            }
        } catch (KubernetesClientException e) {
            LOG.warn("job {}/{}: cannot read the Secrets of its workers ({}); they keep the values they have",
                    namespace, job.getMetadata().getName(), e.getMessage());
            return Optional.empty();
        }
        return Optional.of(HexFormat.of().formatHex(sha256.digest(), 0, 16));
    }

    private Secret secret(String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    /** Length-prefixed, so that no two different sets of values give the same input. */
    private static void add(MessageDigest sha256, String source, String key, String value) {
        for (String part : new String[] {source, key, value == null ? "" : value}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            sha256.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            sha256.update((byte) ':');
            sha256.update(bytes);
        }
        sha256.update((byte) (value == null ? 0 : 1)); // a key that is absent is not an empty one
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
