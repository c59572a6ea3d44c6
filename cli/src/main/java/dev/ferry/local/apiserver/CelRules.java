package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The {@code x-kubernetes-validations} rules of CRDs, compiled once each with Google's CEL for Java
 * ({@code dev.cel}) and evaluated with {@code self} (and {@code oldSelf} for transition rules) bound to
 * the JSON value at the rule's place. CEL's standard library and macros are there; the Kubernetes
 * extension libraries (quantity, URL, IP, the string extensions) are not, so a rule that uses them
 * fails to compile and is reported as such on every write.
 */
final class CelRules {
    private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");
    /** The immutability rule, true of any value and itself. */
    private static final Pattern IMMUTABLE = Pattern.compile("\\s*(self\\s*==\\s*oldSelf|oldSelf\\s*==\\s*self)\\s*");
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    /** A compiled rule, or why it does not compile. */
    private record Compiled(CelRuntime.Program program, String error) {
    }

    private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();

    /**
     * Null when the rule holds for {@code self} (or does not apply: a transition rule without an old
     * value, or a rule ratcheted on a value the update left {@code unchanged}, see {@link StructuralSchema}),
     * else the rule's message — or, without one, {@code failed rule: <rule>}.
     */
    String failure(JsonNode validation, JsonNode self, JsonNode old, boolean unchanged) {
        String rule = validation.path("rule").asText("");
        boolean transition = OLD_SELF.matcher(rule).find();
        if (rule.isEmpty() || transition && (old == null || old.isNull())
                || unchanged && (!transition || IMMUTABLE.matcher(rule).matches())) {
            return null;
        }
        Compiled program = compiled.computeIfAbsent(rule, CelRules::compile);
        if (program.error() != null) {
            return "compilation failed: " + program.error();
        }
        Map<String, Object> variables = new HashMap<>();
        variables.put("self", celValue(self));
        if (transition) {
            variables.put("oldSelf", celValue(old));
        }
        Object result;
        try {
            result = program.program().eval(variables);
        } catch (CelEvaluationException e) {
            return "rule evaluation error: " + e.getMessage();
        }
        if (Boolean.TRUE.equals(result)) {
            return null;
        }
        String message = validation.path("message").asText("");
        return message.isEmpty() ? "failed rule: " + rule : message;
    }

    private static Compiled compile(String rule) {
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(rule).getAst();
            return new Compiled(RUNTIME.createProgram(ast), null);
        } catch (CelValidationException | CelEvaluationException e) {
            return new Compiled(null, e.getMessage());
        }
    }

    /** JSON as CEL sees it: maps, lists, int (long), double, string, bool; absent fields are absent. */
    static Object celValue(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(f -> {
                if (!f.getValue().isNull()) {
                    map.put(f.getKey(), celValue(f.getValue()));
                }
            });
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(item -> list.add(celValue(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.asText();
    }
}
