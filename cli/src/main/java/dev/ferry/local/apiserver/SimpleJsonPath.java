package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Kubernetes JSONPath that printer columns use: {@code .a.b}, {@code .a[0]},
 * {@code .a[*].b} and equality filters {@code .a[?(@.type=="Ready")].status}. An optional
 * surrounding {@code {...}} is accepted. Anything else is refused when the path is compiled, so a
 * column the local API cannot evaluate is visible instead of silently empty.
 */
public final class SimpleJsonPath {
    private static final Pattern FILTER = Pattern.compile(
            "\\?\\(@\\.([A-Za-z0-9_.-]+)\\s*(==|!=)\\s*(?:\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_.-]+))\\)");

    private final String expression;
    private final List<Step> steps;

    private SimpleJsonPath(String expression, List<Step> steps) {
        this.expression = expression;
        this.steps = steps;
    }

    public static SimpleJsonPath compile(String expression) {
        String path = expression.trim();
        if (path.startsWith("{") && path.endsWith("}")) {
            path = path.substring(1, path.length() - 1).trim();
        }
        if (path.startsWith("$")) {
            path = path.substring(1);
        }
        List<Step> steps = new ArrayList<>();
        int i = 0;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                if (end == i + 1) {
                    throw new IllegalArgumentException("empty field name in JSONPath " + expression);
                }
                steps.add(new Field(path.substring(i + 1, end)));
                i = end;
            } else if (c == '[') {
                int end = closingBracket(path, i, expression);
                steps.add(bracket(path.substring(i + 1, end).trim(), expression));
                i = end + 1;
            } else {
                throw new IllegalArgumentException("unsupported JSONPath " + expression);
            }
        }
        return new SimpleJsonPath(expression, List.copyOf(steps));
    }

    /** Every value the path selects, in document order; empty when nothing matches. */
    public List<JsonNode> evaluate(JsonNode root) {
        List<JsonNode> current = List.of(root);
        for (Step step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                step.apply(node, next);
            }
            current = next;
        }
        return current;
    }

    @Override
    public String toString() {
        return expression;
    }

    private static int closingBracket(String path, int open, String expression) {
        boolean quoted = false;
        char quote = 0;
        for (int i = open + 1; i < path.length(); i++) {
            char c = path.charAt(i);
            if (quoted) {
                quoted = c != quote;
            } else if (c == '"' || c == '\'') {
                quoted = true;
                quote = c;
            } else if (c == ']') {
                return i;
            }
        }
        throw new IllegalArgumentException("unclosed [ in JSONPath " + expression);
    }

    private static Step bracket(String inside, String expression) {
        if (inside.equals("*")) {
            return (node, out) -> node.forEach(out::add);
        }
        if (inside.matches("-?\\d+")) {
            int index = Integer.parseInt(inside);
            return (node, out) -> {
                if (node.isArray()) {
                    int resolved = index < 0 ? node.size() + index : index;
                    if (resolved >= 0 && resolved < node.size()) {
                        out.add(node.get(resolved));
                    }
                }
            };
        }
        if ((inside.startsWith("'") && inside.endsWith("'")) || (inside.startsWith("\"") && inside.endsWith("\""))) {
            return new Field(inside.substring(1, inside.length() - 1));
        }
        Matcher filter = FILTER.matcher(inside);
        if (filter.matches()) {
            SimpleJsonPath field = compile("." + filter.group(1));
            boolean equal = filter.group(2).equals("==");
            String expected = filter.group(3) != null ? filter.group(3)
                    : filter.group(4) != null ? filter.group(4) : filter.group(5);
            return (node, out) -> node.forEach(element -> {
                boolean matches = field.evaluate(element).stream().anyMatch(v -> v.isValueNode() && v.asText().equals(expected));
                if (matches == equal) {
                    out.add(element);
                }
            });
        }
        throw new IllegalArgumentException("unsupported JSONPath selector [" + inside + "] in " + expression);
    }

    private interface Step {
        void apply(JsonNode node, List<JsonNode> out);
    }

    private record Field(String name) implements Step {
        @Override
        public void apply(JsonNode node, List<JsonNode> out) {
            JsonNode value = node.isObject() ? node.get(name) : null;
            if (value != null && !value.isNull()) {
                out.add(value);
            }
        }
    }
}
