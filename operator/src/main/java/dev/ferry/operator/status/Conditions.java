package dev.ferry.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Condition bookkeeping per the API conventions: lastTransitionTime moves only when the status does. */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    public static final String QUOTA_EXCEEDED = "QuotaExceeded";
    /** The audit's verdict on the destination (spec.audit: Plan). */
    public static final String VERIFIED = "Verified";
    /** Between runs of a job with spec.schedule: when the next run starts, or why none will. */
    public static final String SCHEDULED = "Scheduled";

    private Conditions() {
    }

    public static void set(List<Condition> conditions, String type, boolean status, String reason, String message,
            Instant now, Long generation) {
        String value = status ? "True" : "False";
        Optional<Condition> existing = find(conditions, type);
        String since = existing.filter(c -> Objects.equals(c.getStatus(), value))
                .map(Condition::getLastTransitionTime)
                .orElse(now.toString());
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(value)
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(since)
                .withObservedGeneration(generation)
                .build();
        existing.ifPresentOrElse(c -> conditions.set(conditions.indexOf(c), condition), () -> conditions.add(condition));
    }

    public static void remove(List<Condition> conditions, String type) {
        if (conditions != null) {
            conditions.removeIf(c -> type.equals(c.getType()));
        }
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
