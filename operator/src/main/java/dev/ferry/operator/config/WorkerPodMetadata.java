package dev.ferry.operator.config;

import dev.ferry.api.Ferry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The labels and annotations of the worker pods: the platform's ({@code workers.podLabels}, {@code
 * workers.podAnnotations} of the chart), then the job's ({@code spec.workers}), then Ferry's own labels, which
 * select the pods and name their job and so cannot be set by either. Keys and values are checked as the API
 * server checks them, so that a mistake is said where it was made (the job's status, or the operator's start)
 * instead of as a Deployment the API server refuses on every reconcile.
 */
public final class WorkerPodMetadata {
    /** Keys under this prefix are Ferry's, on labels and annotations alike. */
    static final String RESERVED_PREFIX = "ferry.dev/";
    /** The keys of {@link #ferryLabels}: neither the platform nor a job may set them. */
    private static final Set<String> RESERVED_LABELS = Set.copyOf(ferryLabels("job").keySet());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_NAME = 63;
    private static final int MAX_PREFIX = 253;
    /** What the API server takes for all annotations of an object together. */
    private static final int MAX_ANNOTATIONS_BYTES = 256 * 1024;

    private WorkerPodMetadata() {
    }

    /** The labels Ferry sets on a job's worker Deployment and pods: they select the pods and name their job. */
    public static Map<String, String> ferryLabels(String jobName) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Ferry.APP_NAME_LABEL, Ferry.APP_NAME);
        labels.put(Ferry.APP_INSTANCE_LABEL, jobName);
        labels.put(Ferry.COMPONENT_LABEL, Ferry.COMPONENT_WORKER);
        labels.put(Ferry.MANAGED_BY_LABEL, Ferry.MANAGER);
        labels.put(Ferry.JOB_LABEL, jobName);
        return labels;
    }

    /** The pod labels: the platform's, the job's over them, Ferry's over both. */
    public static Map<String, String> labels(Map<String, String> platform, Map<String, String> job,
            Map<String, String> ferry) {
        Map<String, String> labels = merged(platform, job);
        labels.putAll(ferry);
        return labels;
    }

    /** The pod annotations: the platform's, the job's over them; null when there are none. */
    public static Map<String, String> annotations(Map<String, String> platform, Map<String, String> job) {
        Map<String, String> annotations = merged(platform, job);
        return annotations.isEmpty() ? null : annotations;
    }

    private static Map<String, String> merged(Map<String, String> platform, Map<String, String> job) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (platform != null) {
            merged.putAll(platform);
        }
        if (job != null) {
            merged.putAll(job);
        }
        return merged;
    }

    /** What is wrong with labels named by {@code field}, one line each; empty when nothing is. */
    public static List<String> labelProblems(String field, Map<String, String> labels) {
        List<String> problems = new ArrayList<>();
        if (labels == null) {
            return problems;
        }
        labels.forEach((key, value) -> {
            keyProblem(field, key, problems);
            if (RESERVED_LABELS.contains(key) && !key.startsWith(RESERVED_PREFIX)) {
                problems.add(field + ": " + key + " is set by Ferry (it selects the job's worker pods)");
            }
            if (value == null || value.length() > MAX_NAME || !(value.isEmpty() || NAME.matcher(value).matches())) {
                problems.add(field + "[" + key + "]: the value " + quoted(value) + " is no label value (at most 63 "
                        + "characters: letters, digits, '-', '_', '.', beginning and ending with a letter or digit; or empty)");
            }
        });
        return problems;
    }

    /** What is wrong with annotations named by {@code field}, one line each; empty when nothing is. */
    public static List<String> annotationProblems(String field, Map<String, String> annotations) {
        List<String> problems = new ArrayList<>();
        if (annotations == null) {
            return problems;
        }
        long bytes = 0;
        for (Map.Entry<String, String> annotation : annotations.entrySet()) {
            keyProblem(field, annotation.getKey(), problems);
            if (annotation.getValue() == null) {
                problems.add(field + "[" + annotation.getKey() + "]: a value is required (it may be empty)");
            } else {
                bytes += annotation.getKey().length() + annotation.getValue().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (bytes > MAX_ANNOTATIONS_BYTES) {
            problems.add(field + ": " + bytes + " bytes, more than the 262144 the API server takes for all annotations");
        }
        return problems;
    }

    private static void keyProblem(String field, String key, List<String> problems) {
        if (key.startsWith(RESERVED_PREFIX)) {
            problems.add(field + ": " + key + " is under " + RESERVED_PREFIX + ", which is Ferry's");
            return;
        }
        int slash = key.lastIndexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        boolean prefixOk = prefix == null || (!prefix.isEmpty() && prefix.length() <= MAX_PREFIX
                && DNS_SUBDOMAIN.matcher(prefix).matches());
        if (!prefixOk || name.isEmpty() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
            problems.add(field + ": " + quoted(key) + " is no key (an optional DNS subdomain and '/', then at most 63 "
                    + "characters: letters, digits, '-', '_', '.', beginning and ending with a letter or digit)");
        }
    }

    private static String quoted(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }
}
