package dev.ferry.local.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kubernetes API request target split into path and query, and read as a resource address
 * ({@code /apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]}).
 */
public record RequestPath(String path, String rawQuery) {

    /** Where a request points; {@code group} is empty for the core group, name null for a collection. */
    public record Resource(String group, String version, String namespace, String plural, String name,
            String subresource) {

        /** An object's resource from its apiVersion ({@code v1}, {@code apps/v1}); namespace empty or null for none. */
        static Resource ofObject(String apiVersion, String namespace, String plural, String name) {
            int slash = apiVersion.indexOf('/');
            return new Resource(slash < 0 ? "" : apiVersion.substring(0, slash), apiVersion.substring(slash + 1),
                    namespace == null || namespace.isEmpty() ? null : namespace, plural, name, null);
        }

        /** The collection's path, without a name: {@code /api/v1/namespaces/ns/pods}. */
        String collectionPath() {
            StringBuilder path = new StringBuilder(group.isEmpty() ? "/api/" : "/apis/" + group + "/");
            path.append(version);
            if (namespace != null) {
                path.append("/namespaces/").append(namespace);
            }
            return path.append('/').append(plural).toString();
        }

        /** The object's path, without subresource: {@code /api/v1/namespaces/ns/pods/name}. */
        String objectPath() {
            return collectionPath() + "/" + name;
        }
    }

    public static RequestPath parse(String target) {
        int question = target.indexOf('?');
        return question < 0 ? new RequestPath(target, "")
                : new RequestPath(target.substring(0, question), target.substring(question + 1));
    }

    /** The decoded value of a query parameter, or null. */
    public String query(String name) {
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = decode(equals < 0 ? pair : pair.substring(0, equals));
            if (key.equals(name)) {
                return equals < 0 ? "" : decode(pair.substring(equals + 1));
            }
        }
        return null;
    }

    /** The request target without the given query parameter (others kept as sent). */
    public String without(String name) {
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            if (!pair.isEmpty() && !decode(equals < 0 ? pair : pair.substring(0, equals)).equals(name)) {
                kept.add(pair);
            }
        }
        return kept.isEmpty() ? path : path + "?" + String.join("&", kept);
    }

    public boolean isWatch() {
        String watch = query("watch");
        return "true".equals(watch) || "1".equals(watch);
    }

    /** The resource addressed, or null for discovery and other non-resource paths. */
    public Resource resource() {
        String[] segments = path.replaceAll("^/+", "").split("/");
        int rest;
        String group;
        String version;
        if (segments.length >= 3 && segments[0].equals("api")) {
            group = "";
            version = segments[1];
            rest = 2;
        } else if (segments.length >= 4 && segments[0].equals("apis")) {
            group = segments[1];
            version = segments[2];
            rest = 3;
        } else {
            return null;
        }
        String namespace = null;
        if (segments.length - rest >= 3 && segments[rest].equals("namespaces")) {
            namespace = segments[rest + 1];
            rest += 2;
        }
        String plural = segments[rest];
        String name = segments.length > rest + 1 ? segments[rest + 1] : null;
        String subresource = segments.length > rest + 2 ? segments[rest + 2] : null;
        return new Resource(group, version, namespace, plural, name, subresource);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
