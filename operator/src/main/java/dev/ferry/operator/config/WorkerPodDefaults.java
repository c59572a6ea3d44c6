package dev.ferry.operator.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every worker pod gets unless its job's {@code spec.workers} says otherwise: the platform team's
 * settings, from the Helm chart's values (the ConfigMap {@code <release>-worker-pod}, mounted in the
 * operator's pods, named by {@code FERRY_WORKER_POD_DEFAULTS}). Image pull secrets have no field in the
 * job: they are always these; {@code logFormat} ({@code json} or text) becomes the workers' {@code FERRY_LOG_FORMAT}.
 * The pod labels and annotations are merged with the job's (the job's win per key); the others are replaced by
 * the job's when it sets them. Labels and annotations that the API server would refuse, or that are Ferry's, stop
 * the operator at start.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkerPodDefaults(List<LocalObjectReference> imagePullSecrets, ResourceRequirements resources,
        Map<String, String> nodeSelector, List<Toleration> tolerations, Affinity affinity, String logFormat,
        Map<String, String> podLabels, Map<String, String> podAnnotations, String priorityClassName) {

    public static final WorkerPodDefaults NONE = new WorkerPodDefaults(null, null, null, null, null, null, null, null, null);

    public WorkerPodDefaults {
        imagePullSecrets = imagePullSecrets == null ? List.of() : List.copyOf(imagePullSecrets);
        nodeSelector = nodeSelector == null || nodeSelector.isEmpty() ? null : Map.copyOf(nodeSelector);
        tolerations = tolerations == null || tolerations.isEmpty() ? null : List.copyOf(tolerations);
        resources = resources == null || isEmpty(resources) ? null : resources;
        affinity = affinity == null || isEmpty(affinity) ? null : affinity;
        logFormat = logFormat == null || logFormat.isBlank() ? null : logFormat.strip();
        List<String> problems = new ArrayList<>(WorkerPodMetadata.labelProblems("workers.podLabels", podLabels));
        problems.addAll(WorkerPodMetadata.annotationProblems("workers.podAnnotations", podAnnotations));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
        podAnnotations = podAnnotations == null ? Map.of() : Map.copyOf(podAnnotations);
        priorityClassName = priorityClassName == null || priorityClassName.isBlank() ? null : priorityClassName.strip();
    }

    /** Reads the chart's pod-defaults.yaml; a file that cannot be read or parsed stops the operator at start. */
    public static WorkerPodDefaults read(Path file) {
        try {
            String yaml = Files.readString(file);
            WorkerPodDefaults defaults = yaml.isBlank() ? NONE : Serialization.unmarshal(yaml, WorkerPodDefaults.class);
            return defaults == null ? NONE : defaults;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker pod defaults " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the worker pod defaults " + file + " are not valid: " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(ResourceRequirements resources) {
        return (resources.getLimits() == null || resources.getLimits().isEmpty())
                && (resources.getRequests() == null || resources.getRequests().isEmpty())
                && (resources.getClaims() == null || resources.getClaims().isEmpty());
    }

    private static boolean isEmpty(Affinity affinity) {
        return affinity.getNodeAffinity() == null && affinity.getPodAffinity() == null
                && affinity.getPodAntiAffinity() == null;
    }
}
