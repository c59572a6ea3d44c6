package dev.ferry.api.runtime;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The text of one key of a Secret read through the API. */
public final class SecretValues {
    private SecretValues() {
    }

    /** The decoded value of {@code key}; null when the Secret has no such key (or an empty one). */
    public static String value(Secret secret, String key) {
        Map<String, String> data = secret.getData();
        if (data != null && data.get(key) != null && !data.get(key).isBlank()) {
            return new String(Base64.getDecoder().decode(data.get(key).strip()), StandardCharsets.UTF_8);
        }
        // stringData is folded into data by a real API server, not by every test double
        Map<String, String> stringData = secret.getStringData();
        return stringData == null || stringData.get(key) == null || stringData.get(key).isEmpty() ? null
                : stringData.get(key);
    }

    /** Every key of the Secret, in {@code data} or {@code stringData}, in order. */
    public static Set<String> keys(Secret secret) {
        Set<String> keys = new TreeSet<>();
        if (secret.getData() != null) {
            keys.addAll(secret.getData().keySet());
        }
        if (secret.getStringData() != null) {
            keys.addAll(secret.getStringData().keySet());
        }
        return keys;
    }
}
