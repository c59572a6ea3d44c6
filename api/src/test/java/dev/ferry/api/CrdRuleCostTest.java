package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs' CEL rules stay within what a real API server accepts. A server estimates, when the CRD is
 * created, the worst-case cost of each {@code x-kubernetes-validations} rule from the sizes that the
 * schema allows, and refuses the CRD when a rule is unbounded (a string without {@code maxLength}, a list
 * without {@code maxItems} under a rule) or too costly. This test makes the same kind of bound: the worst
 * case of a rule is a full walk of the values it sees ({@code self}, and {@code oldSelf} for transition
 * rules), at one unit per list item and object field and 0.1 per character as the server charges string
 * operations, times the items of the lists that enclose it. Each rule must stay under the per-call limit
 * (1,000,000) and a CRD's rules together under the server's per-expression limit (10,000,000).
 */
class CrdRuleCostTest {
    private static final double PER_CALL_LIMIT = 1_000_000;
    private static final double CRD_LIMIT = 10_000_000;
    private static final int METADATA_NAME_LENGTH = 253;
    /** {@code self} or {@code oldSelf} and the fields selected from it ({@code ""} when used bare). */
    private static final Pattern ACCESS = Pattern.compile("\\b(?:self|oldSelf)((?:\\.[A-Za-z_][A-Za-z0-9_]*)*)");
    /** A presence test of a field of {@code self} or {@code oldSelf}: {@code has(self.a.b)}. */
    private static final Pattern PRESENCE =
            Pattern.compile("\\bhas\\(\\s*(?:self|oldSelf)(?:\\.[A-Za-z_][A-Za-z0-9_]*)+\\s*\\)");

    static List<String> crds() {
        return CrdResources.FILES;
    }

    @ParameterizedTest
    @MethodSource("crds")
    void everyRuleSeesOnlyBoundedValuesAndStaysUnderTheServersCostLimits(String file) {
        CustomResourceDefinition crd = Serialization.unmarshal(CrdResources.read(file), CustomResourceDefinition.class);
        JSONSchemaProps schema = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        List<String> unbounded = new ArrayList<>();
        List<String> costs = new ArrayList<>();
        double[] total = {0};
        visit(schema, "", 1, (path, node, cardinality) -> {
            for (ValidationRule rule : node.getXKubernetesValidations()) {
                Size size = reached(node, path, rule.getRule(), unbounded);
                boolean transition = rule.getRule().contains("oldSelf");
                double cost = (transition ? 2 : 1) * size.cost() * cardinality;
                costs.add(String.format("%s: %s -> %.0f", path, rule.getRule(), cost));
                assertThat(cost).as("worst-case cost of %s at %s", rule.getRule(), path).isLessThan(PER_CALL_LIMIT);
                total[0] += cost;
            }
        });

        assertThat(unbounded).as("values seen by a rule without maxLength/maxItems/enum").isEmpty();
        assertThat(costs).as("rules found").isNotEmpty();
        assertThat(total[0]).as("all rules of %s: %s", file, costs).isLessThan(CRD_LIMIT);
    }

    /** The worst case of walking a value: its items and fields, and its characters. */
    private record Size(double units, double characters) {
        double cost() {
            return units + 0.1 * characters;
        }

        Size plus(Size other) {
            return new Size(units + other.units, characters + other.characters);
        }

        Size times(long count) {
            return new Size(units * count, characters * count);
        }
    }

    /** The values that {@code rule} reaches from {@code node}: each {@code self.a.b} once, or all of self. */
    private static Size reached(JSONSchemaProps node, String path, String rule, List<String> unbounded) {
        // has(self.a.b) tests presence at one unit, whatever a.b holds, as the server's estimator charges it
        Matcher presence = PRESENCE.matcher(rule);
        Size tests = new Size(0, 0);
        while (presence.find()) {
            tests = tests.plus(new Size(1, 0));
        }
        Matcher access = ACCESS.matcher(presence.replaceAll("true"));
        Set<String> fields = new LinkedHashSet<>();
        while (access.find()) {
            fields.add(access.group(1));
        }
        if (fields.contains("")) {
            return tests.plus(size(node, path, unbounded));
        }
        Size sum = tests;
        for (String field : fields) {
            if (path.equals("<root>") && (field.startsWith(".metadata.name") || field.startsWith(".metadata.generateName"))) {
                // the only metadata a root rule sees; the server bounds it itself (a DNS subdomain, 253 characters)
                sum = sum.plus(new Size(1, METADATA_NAME_LENGTH));
                continue;
            }
            JSONSchemaProps target = node;
            String targetPath = path;
            for (String name : field.substring(1).split("\\.")) {
                JSONSchemaProps child = target.getProperties().get(name);
                if (child == null) {
                    break; // a method or a macro variable: what was reached so far counts
                }
                target = child;
                targetPath = targetPath + "." + name;
            }
            sum = sum.plus(size(target, targetPath, unbounded));
        }
        return sum;
    }

    private static Size size(JSONSchemaProps node, String path, List<String> unbounded) {
        String type = node.getType() == null ? "" : node.getType();
        if (Boolean.TRUE.equals(node.getXKubernetesIntOrString()) || type.equals("string")) {
            if (node.getEnum() != null && !node.getEnum().isEmpty()) {
                return new Size(1, node.getEnum().stream().mapToInt(v -> v.toString().length()).max().orElse(0));
            }
            if (node.getMaxLength() == null) {
                unbounded.add(path + " (string)");
                return new Size(1, 0);
            }
            return new Size(1, node.getMaxLength());
        }
        if (type.equals("array")) {
            if (node.getMaxItems() == null) {
                unbounded.add(path + " (list)");
                return new Size(1, 0);
            }
            Size item = node.getItems() == null ? new Size(1, 0) : size(node.getItems().getSchema(), path + "[]", unbounded);
            return new Size(1, 0).plus(item.plus(new Size(1, 0)).times(node.getMaxItems()));
        }
        if (type.equals("object")) {
            if (node.getAdditionalProperties() != null && node.getAdditionalProperties().getSchema() != null
                    && node.getMaxProperties() == null) {
                unbounded.add(path + " (map)");
            }
            Size sum = new Size(1, 0);
            for (Map.Entry<String, JSONSchemaProps> field : node.getProperties().entrySet()) {
                sum = sum.plus(new Size(1, field.getKey().length()))
                        .plus(size(field.getValue(), path + "." + field.getKey(), unbounded));
            }
            return sum;
        }
        return new Size(1, 0); // integer, number, boolean
    }

    private interface Visitor {
        void node(String path, JSONSchemaProps node, long cardinality);
    }

    private static void visit(JSONSchemaProps node, String path, long cardinality, Visitor visitor) {
        visitor.node(path.isEmpty() ? "<root>" : path, node, cardinality);
        node.getProperties().forEach((name, child) -> visit(child, path.isEmpty() ? name : path + "." + name,
                cardinality, visitor));
        if (node.getItems() != null && node.getItems().getSchema() != null) {
            long items = node.getMaxItems() == null ? 1 : node.getMaxItems();
            visit(node.getItems().getSchema(), path + "[]", cardinality * items, visitor);
        }
    }
}
