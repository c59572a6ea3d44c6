package dev.ferry.operator.validation;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.Ferry;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.Patterns;
import dev.ferry.api.Quantities;
import dev.ferry.api.SecretKeyReference;
import dev.ferry.api.SourceGlobs;
import dev.ferry.api.WorkersSpec;
import dev.ferry.api.runtime.EndpointTrust;
import dev.ferry.api.runtime.SecretValues;
import dev.ferry.operator.config.WorkerPodMetadata;
import dev.ferry.operator.schedule.CronSchedule;
import dev.ferry.operator.state.JobState;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks what the schema cannot: that the source PersistentVolumeClaim exists, that the credentials Secret
 * exists with its keys, that the Secret of
 * Kafka's client properties exists when {@code spec.notifications.kafka.secret} names one, that the
 * include/exclude globs compile ({@link SourceGlobs}, as the planner reads them), that the worker pods' labels and
 * annotations are ones the API server takes and not Ferry's ({@link WorkerPodMetadata}), that the part size is
 * one the workers send, that {@code spec.schedule} is a cron expression in a time zone that exists, and that
 * values the schema only pattern-checks (or that came through an API server that
 * does not validate) parse.
 * The claim only has to exist: a claim that is still {@code Pending} is normal with a storage class that binds
 * on first use ({@code WaitForFirstConsumer}), and the workers' pods are what make it bind.
 *
 * <p>A running job is reconciled on every change of one of its tasks, and each reconcile validates it.
 * The claim and Secrets found for a generation of the job are therefore trusted for
 * {@link #REFERENCES_RECHECK} before they are looked up again: three GETs per reconcile were a steady load
 * on the API server that grew with the task rate. A new generation (any spec change) looks them up at
 * once; one deleted during a run is still noticed within that time.
 */
public final class JobValidator {
    private static final Pattern DURATION = Pattern.compile(Patterns.DURATION);

    /** How long the claim and Secrets found for one generation of a job are trusted. */
    public static final Duration REFERENCES_RECHECK = Duration.ofSeconds(30);
    /** More jobs than one operator runs at once: past it the memory of what was found starts over. */
    static final int JOBS_REMEMBERED = 10_000;

    private final KubernetesClient client;
    /** By job UID: the generation whose claim and Secrets were found, and when. */
    private final Map<String, Found> found = new ConcurrentHashMap<>();

    private record Found(Long generation, Instant at) {
    }

    public JobValidator(KubernetesClient client) {
        this.client = client;
    }

    public Optional<InvalidSpec> validate(JobState state) {
        List<String> problems = new ArrayList<>();
        MigrationJobSpec spec = state.job().getSpec();
        if (spec == null || spec.source == null || spec.destination == null) {
            return Optional.of(new InvalidSpec("spec.source and spec.destination are required"));
        }
        String name = state.job().getMetadata().getName();
        if (name != null && name.length() > MigrationJob.MAX_NAME_LENGTH) {
            // the CRD says so too; this is for API servers without CEL rules (before Kubernetes 1.25)
            problems.add("metadata.name is " + name.length() + " characters long, more than "
                    + MigrationJob.MAX_NAME_LENGTH + ": it labels the job's tasks and worker pods (ferry.dev/job),"
                    + " and a label value holds no more; create the job under a shorter name");
        }
        checkSourcePath(spec, problems);
        String prefixProblem = DestinationSpec.prefixProblem(spec.destination.prefix);
        if (prefixProblem != null) {
            // the CRD says so too; this is for API servers without CEL rules
            problems.add("spec.destination.prefix '" + spec.destination.prefix + "' is no key prefix Ferry writes: "
                    + prefixProblem);
        }
        checkGlobs("spec.source.include", spec.source.include, problems);
        checkGlobs("spec.source.exclude", spec.source.exclude, problems);
        checkQuantities(spec, problems);
        checkSchedule(spec, problems);
        if (spec.workers != null) {
            problems.addAll(WorkerPodMetadata.labelProblems("spec.workers.podLabels", spec.workers.podLabels));
            problems.addAll(WorkerPodMetadata.annotationProblems("spec.workers.podAnnotations", spec.workers.podAnnotations));
        }
        if (problems.isEmpty() && !foundRecently(state)) {
            checkSourceClaim(state.namespace(), spec.source.pvc, problems);
            checkCredentials(state.namespace(), spec.destination.credentialsSecret, problems);
            checkKafkaSecret(state.namespace(), spec, problems);
            checkEndpointCA(state.namespace(), spec.destination.endpointCA, problems);
            remember(state, problems.isEmpty());
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(new InvalidSpec(String.join("; ", problems)));
    }

    /** The job is gone or finished: its claim and Secrets are looked up afresh should it run again. */
    public void forget(String jobUid) {
        if (jobUid != null) {
            found.remove(jobUid);
        }
    }

    private boolean foundRecently(JobState state) {
        String uid = state.job().getMetadata().getUid();
        Found last = uid == null ? null : found.get(uid);
        return last != null && Objects.equals(last.generation(), state.job().getMetadata().getGeneration())
                && state.now().isBefore(last.at().plus(REFERENCES_RECHECK));
    }

    private void remember(JobState state, boolean allFound) {
        String uid = state.job().getMetadata().getUid();
        if (uid == null) {
            return;
        }
        if (!allFound) {
            found.remove(uid);
            return;
        }
        if (found.size() >= JOBS_REMEMBERED) {
            found.clear();
        }
        found.put(uid, new Found(state.job().getMetadata().getGeneration(), state.now()));
    }

    private static void checkSourcePath(MigrationJobSpec spec, List<String> problems) {
        String path = spec.source.pathOrRoot();
        if (!path.startsWith("/") || List.of(path.split("/")).contains("..")) {
            problems.add("spec.source.path '" + path + "' must be absolute within the volume and must not contain '..'");
        }
        if (spec.source.minFileAge != null && !DURATION.matcher(spec.source.minFileAge).matches()) {
            problems.add("spec.source.minFileAge '" + spec.source.minFileAge + "' is not a duration (e.g. 10m)");
        }
    }

    /** A schedule the schema let through (it checks only the shape) must parse, in a time zone that exists. */
    private static void checkSchedule(MigrationJobSpec spec, List<String> problems) {
        if (spec.schedule == null) {
            if (spec.scheduleTimeZone != null) {
                problems.add("spec.scheduleTimeZone needs a schedule");
            }
            return;
        }
        try {
            CronSchedule.parse(spec.schedule, spec.scheduleTimeZone);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }

    private static void checkGlobs(String field, List<String> globs, List<String> problems) {
        if (globs == null) {
            return;
        }
        for (int i = 0; i < globs.size(); i++) {
            String glob = globs.get(i);
            if (glob == null || glob.isBlank()) {
                continue;
            }
            try {
                SourceGlobs.matcher(glob);
            } catch (PatternSyntaxException e) {
                problems.add(field + "[" + i + "] '" + glob + "' is not a glob: " + e.getDescription()
                        + " (at " + e.getIndex() + ")");
            }
        }
    }

    private static void checkQuantities(MigrationJobSpec spec, List<String> problems) {
        if (spec.tasks != null) {
            checkQuantity("spec.tasks.maxBytes", spec.tasks.maxBytes, problems);
        }
        if (spec.workers != null) {
            if (checkQuantity("spec.workers.partSize", spec.workers.partSize, problems)) {
                long partSize = Quantities.parseBytes(spec.workers.partSize);
                if (partSize < WorkersSpec.MIN_PART_SIZE || partSize > WorkersSpec.MAX_PART_SIZE) {
                    problems.add("spec.workers.partSize '" + spec.workers.partSize + "' must be between 5Mi (S3's"
                            + " smallest part) and 1Gi (a worker holds a part in memory)");
                }
            }
            checkQuantity("spec.workers.bandwidthLimit", spec.workers.bandwidthLimit, problems);
        }
    }

    /** True when the value is set and a positive byte quantity; else its problem is added (if set). */
    private static boolean checkQuantity(String field, String value, List<String> problems) {
        if (value == null) {
            return false;
        }
        try {
            if (Quantities.parseBytes(value) > 0) {
                return true;
            }
            problems.add(field + " '" + value + "' must be positive");
        } catch (RuntimeException e) {
            problems.add(field + " '" + value + "' is not a byte quantity (e.g. 16Mi)");
        }
        return false;
    }

    private void checkSourceClaim(String namespace, String claim, List<String> problems) {
        if (claim == null || claim.isBlank()) {
            problems.add("spec.source.pvc is required");
            return;
        }
        if (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get() == null) {
            problems.add("source PersistentVolumeClaim '" + claim + "' (spec.source.pvc) not found in namespace "
                    + namespace + ": create it, or name the claim that holds the files");
        }
    }

    private void checkCredentials(String namespace, String secretName, List<String> problems) {
        if (secretName == null || secretName.isBlank()) {
            return; // the workers use their own identity (IRSA, EKS Pod Identity, an instance profile)
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
            problems.add("credentials Secret '" + secretName + "' not found in namespace " + namespace);
            return;
        }
        for (String key : List.of(Ferry.SECRET_ACCESS_KEY_ID, Ferry.SECRET_SECRET_ACCESS_KEY)) {
            if (!has(secret.getData(), key) && !has(secret.getStringData(), key)) {
                problems.add("credentials Secret '" + secretName + "' has no key " + key);
            }
        }
    }

    /** The workers get it as their environment and the operator as its client's properties: it must exist. */
    private void checkKafkaSecret(String namespace, MigrationJobSpec spec, List<String> problems) {
        String secretName = spec.notifications == null || spec.notifications.kafka == null ? null
                : spec.notifications.kafka.secret;
        if (secretName != null && !secretName.isBlank()
                && client.secrets().inNamespace(namespace).withName(secretName).get() == null) {
            problems.add("Kafka Secret '" + secretName + "' (spec.notifications.kafka.secret) not found in namespace "
                    + namespace);
        }
    }

    /** The workers trust what it holds: it must be there and be certificates, or no connection would work. */
    private void checkEndpointCA(String namespace, SecretKeyReference ref, List<String> problems) {
        if (ref == null) {
            return;
        }
        String where = "spec.destination.endpointCA: Secret '" + ref.name + "' key '" + ref.keyOrDefault() + "'";
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.name).get();
        if (secret == null) {
            problems.add(where + ": the Secret is not found in namespace " + namespace);
            return;
        }
        String pem = SecretValues.value(secret, ref.keyOrDefault());
        if (pem == null) {
            problems.add(where + ": no such key");
            return;
        }
        try {
            EndpointTrust.certificates(pem);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
        }
    }

    private static boolean has(Map<String, String> data, String key) {
        return data != null && data.get(key) != null && !data.get(key).isEmpty();
    }
}
