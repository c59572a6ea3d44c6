package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** JSON merge patches (RFC 7386): applied to an object, and made from two versions of one. */
final class MergePatches {
    private MergePatches() {
    }

    /** {@code target} with {@code patch} merged in (a new tree; neither argument is changed). */
    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        patch.fields().forEachRemaining(f -> {
            if (f.getValue().isNull()) {
                result.remove(f.getKey());
            } else {
                result.set(f.getKey(), apply(result.get(f.getKey()), f.getValue()));
            }
        });
        return result;
    }

    /** The merge patch that turns {@code from} into {@code to} (both objects). */
    static ObjectNode between(JsonNode from, JsonNode to) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        List<String> names = new ArrayList<>();
        from.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (!to.has(name)) {
                patch.putNull(name);
            }
        }
        to.fields().forEachRemaining(f -> {
            JsonNode before = from.get(f.getKey());
            if (before != null && before.isObject() && f.getValue().isObject()) {
                ObjectNode nested = between(before, f.getValue());
                if (!nested.isEmpty()) {
                    patch.set(f.getKey(), nested);
                }
            } else if (!f.getValue().equals(before)) {
                patch.set(f.getKey(), f.getValue().deepCopy());
            }
        });
        return patch;
    }
}
