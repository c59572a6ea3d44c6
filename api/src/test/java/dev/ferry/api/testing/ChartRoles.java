package dev.ferry.api.testing;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The RBAC rules the chart grants a component (its ClusterRoles and Roles named {@code <release>-<component>...}),
 * read from {@code charts/ferry/templates/rbac.yaml} with the template expressions left out, and the API
 * calls of recorded requests as RBAC sees them ({@code verb group/resource[/subresource]}). Shared by the
 * operator's and the worker's tests (the api module's test-jar).
 */
public final class ChartRoles {
    private static final Path RBAC = Path.of("..", "charts", "ferry", "templates", "rbac.yaml");
    private static final Pattern CONTROL = Pattern.compile("^\\s*\\{\\{-?\\s*(if|end|range|else)\\b.*");
    private static final Pattern EXPRESSION = Pattern.compile("\\{\\{[^}]*}}");

    /** One rule: who may do which verbs on which resources of which groups. */
    public record Rule(List<String> apiGroups, List<String> resources, List<String> verbs) {
        public boolean allows(String verb, String group, String resource) {
            return apiGroups.contains(group) && resources.contains(resource)
                    && (verbs.contains(verb) || verbs.contains("*"));
        }
    }

    private final List<Rule> rules;

    private ChartRoles(List<Rule> rules) {
        this.rules = rules;
    }

    /** Every rule of the roles whose name (after the release) starts with {@code -component}. */
    @SuppressWarnings("unchecked")
    public static ChartRoles of(String component) {
        List<Rule> rules = new ArrayList<>();
        try {
            StringBuilder text = new StringBuilder();
            for (String line : Files.readAllLines(RBAC)) {
                if (!CONTROL.matcher(line).matches()) {
                    text.append(EXPRESSION.matcher(line).replaceAll("RELEASE")).append('\n');
                }
            }
            for (String document : text.toString().split("(?m)^---$")) {
                if (document.isBlank()) {
                    continue;
                }
                Map<String, Object> object = Serialization.unmarshal(document, Map.class);
                String kind = String.valueOf(object.get("kind"));
                String name = String.valueOf(((Map<String, Object>) object.get("metadata")).get("name"));
                if ((kind.equals("ClusterRole") || kind.equals("Role")) && name.startsWith("RELEASE-" + component)) {
                    for (Map<String, Object> rule : (List<Map<String, Object>>) object.get("rules")) {
                        rules.add(new Rule((List<String>) rule.get("apiGroups"), (List<String>) rule.get("resources"),
                                (List<String>) rule.get("verbs")));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ChartRoles(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The grants ({@code verb group/resource}) that none of {@code calls} uses: privilege the chart need not give. */
    public Set<String> unused(Set<String> calls) {
        Set<String> unused = new TreeSet<>();
        for (Rule rule : rules) {
            for (String group : rule.apiGroups()) {
                for (String resource : rule.resources()) {
                    for (String verb : rule.verbs()) {
                        String grant = verb + " " + group + "/" + resource;
                        if (!calls.contains(grant)) {
                            unused.add(grant);
                        }
                    }
                }
            }
        }
        return unused;
    }

    /** The calls among {@code requests} that no rule allows. */
    public Set<String> refused(List<RecordedRequest> requests) {
        Set<String> refused = new TreeSet<>();
        for (String call : calls(requests)) {
            String[] parts = call.split(" ");
            String group = parts[1].substring(0, parts[1].indexOf('/'));
            String resource = parts[1].substring(group.length() + 1);
            if (rules.stream().noneMatch(r -> r.allows(parts[0], group, resource))) {
                refused.add(call);
            }
        }
        return refused;
    }

    /**
     * The calls as RBAC sees them: {@code verb group/resource[/subresource]} (the core group is empty).
     * Discovery and self-reviews (which every authenticated user may ask) are left out.
     */
    public static Set<String> calls(List<RecordedRequest> requests) {
        Set<String> calls = new TreeSet<>();
        for (RecordedRequest request : requests) {
            String target = request.getPath();
            int question = target.indexOf('?');
            String path = question < 0 ? target : target.substring(0, question);
            String query = question < 0 ? "" : target.substring(question + 1);
            String[] segments = path.replaceAll("^/+", "").split("/");
            int rest;
            String group;
            if (segments.length >= 3 && segments[0].equals("api")) {
                group = "";
                rest = 2;
            } else if (segments.length >= 4 && segments[0].equals("apis")) {
                group = segments[1];
                rest = 3;
            } else {
                continue;
            }
            if (group.equals("authorization.k8s.io")) {
                continue;
            }
            if (segments.length - rest >= 3 && segments[rest].equals("namespaces")) {
                rest += 2;
            }
            String resource = segments[rest];
            boolean named = segments.length > rest + 1;
            if (segments.length > rest + 2) {
                resource = resource + "/" + segments[rest + 2];
            }
            boolean watch = query.matches("(.*&)?watch=(true|1)(&.*)?");
            String verb = switch (request.method().name()) {
                case "GET" -> watch ? "watch" : named ? "get" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> named ? "delete" : "deletecollection";
                default -> request.method().name().toLowerCase();
            };
            calls.add(verb + " " + group + "/" + resource);
        }
        return calls;
    }
}
