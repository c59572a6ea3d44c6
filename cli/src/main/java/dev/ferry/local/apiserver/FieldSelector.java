package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field selector ({@code involvedObject.name=x,metadata.namespace!=y}) evaluated against the
 * object itself. The mock server only knows name and namespace as fields and answers an empty list
 * for any other key, which breaks {@code kubectl describe}'s event lookup.
 */
public final class FieldSelector {
    private final List<Requirement> requirements;

    private FieldSelector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    public static FieldSelector parse(String selector) {
        List<Requirement> requirements = new ArrayList<>();
        if (selector != null) {
            for (String term : selector.split(",")) {
                if (term.isBlank()) {
                    continue;
                }
                requirements.add(requirement(term.trim()));
            }
        }
        return new FieldSelector(List.copyOf(requirements));
    }

    private static Requirement requirement(String term) {
        int notEqual = term.indexOf("!=");
        if (notEqual > 0) {
            return new Requirement(term.substring(0, notEqual), term.substring(notEqual + 2), false);
        }
        int doubleEqual = term.indexOf("==");
        if (doubleEqual > 0) {
            return new Requirement(term.substring(0, doubleEqual), term.substring(doubleEqual + 2), true);
        }
        int equal = term.indexOf('=');
        if (equal > 0) {
            return new Requirement(term.substring(0, equal), term.substring(equal + 1), true);
        }
        throw new IllegalArgumentException("invalid field selector requirement: " + term);
    }

    public boolean matches(JsonNode object) {
        return requirements.stream().allMatch(r -> r.matches(object));
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    /** The name a {@code metadata.name=x} requirement pins, or null. */
    public String name() {
        return requirements.stream().filter(r -> r.equal && r.field.equals("metadata.name"))
                .map(r -> r.value).findFirst().orElse(null);
    }

    private record Requirement(String field, String value, boolean equal) {
        boolean matches(JsonNode object) {
            JsonNode node = object;
            for (String part : field.split("\\.")) {
                node = node.path(part);
            }
            String actual = node.isValueNode() ? node.asText() : "";
            return actual.equals(value) == equal;
        }
    }
}
