package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** The worker pods of a job: how many, how parallel, and where they run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkersSpec {
    public static final int DEFAULT_REPLICAS = 2;
    public static final int DEFAULT_CONCURRENCY = 16;
    /** The smallest part S3 takes (but for an upload's last). */
    public static final long MIN_PART_SIZE = 5L << 20;
    /** The largest part a worker sends: it holds a part in memory to compute its Content-MD5. */
    public static final long MAX_PART_SIZE = 1L << 30;

    @Default("" + DEFAULT_REPLICAS)
    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("Number of worker pods (default 2).")
    public Integer replicas;

    @Default("" + DEFAULT_CONCURRENCY)
    @Min(1)
    @Max(1024)
    @JsonPropertyDescription("Uploads in flight per worker: files and parts together (default 16).")
    public Integer concurrency;

    @Pattern(Patterns.QUANTITY)
    @JsonPropertyDescription("Multipart part size (e.g. 16Mi); files up to it are one PUT. "
            + "Between 5Mi and 1Gi; default: chosen per file, at least 8Mi and at most 10,000 parts.")
    public String partSize;

    @Pattern(Patterns.QUANTITY)
    @JsonPropertyDescription("Upload bandwidth limit per worker in bytes per second (e.g. 100Mi); unlimited when unset.")
    public String bandwidthLimit;

    @JsonPropertyDescription("Container image of the workers; default: the operator's worker image.")
    public String image;

    @JsonPropertyDescription("Compute resources of each worker container.")
    public ResourceRequirements resources;

    @JsonPropertyDescription("Annotations of the worker pods, over the platform's (the chart's workers.podAnnotations), "
            + "e.g. sidecar.istio.io/inject: \"false\". Keys under ferry.dev/ are Ferry's.")
    public Map<String, String> podAnnotations;

    @JsonPropertyDescription("Labels of the worker pods, over the platform's (the chart's workers.podLabels), e.g. a "
            + "cost-allocation team label. Ferry's own (app.kubernetes.io/name, instance, component, managed-by and "
            + "keys under ferry.dev/) cannot be set.")
    public Map<String, String> podLabels;

    @Size(max = 253)
    @JsonPropertyDescription("PriorityClass of the worker pods; default: the platform's (the chart's "
            + "workers.priorityClassName), else none.")
    public String priorityClassName;

    @JsonPropertyDescription("Node selector of the worker pods.")
    public Map<String, String> nodeSelector;

    @JsonPropertyDescription("Tolerations of the worker pods.")
    public List<Toleration> tolerations;

    @JsonPropertyDescription("Affinity of the worker pods.")
    public Affinity affinity;

    @Min(1)
    @JsonPropertyDescription("User ID the workers run as (never root); default: the image's (10001). Set it when the"
            + " source is readable only by a given user, as a NAS owned by many users often is.")
    public Long runAsUser;

    @Min(0)
    @JsonPropertyDescription("Primary group ID the workers run as; default: the image's.")
    public Long runAsGroup;

    @Min(0)
    @JsonPropertyDescription("Group that owns the volumes the kubelet can chown (pod fsGroup); default: none.")
    public Long fsGroup;

    @Size(max = 32)
    @JsonPropertyDescription("More group IDs of the workers, for a source readable by a group (pod supplementalGroups).")
    public List<Long> supplementalGroups;

    public int replicasOrDefault() {
        return replicas != null ? replicas : DEFAULT_REPLICAS;
    }

    public int concurrencyOrDefault() {
        return concurrency != null ? concurrency : DEFAULT_CONCURRENCY;
    }
}
