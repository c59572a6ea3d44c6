package dev.ferry.e2e;

import java.util.Map;

/**
 * One record read from a topic, as text: key and value as UTF-8, headers by name (the last one of a
 * name wins; CloudEvents in binary mode carry their attributes as {@code ce_*} headers).
 */
record TopicRecord(String key, String value, Map<String, String> headers, int partition, long offset) {

    /** The header's value, or null. */
    String header(String name) {
        return headers.get(name);
    }
}
