package dev.ferry.local.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code MigrationJob} manifests as a user writes them, held as JSON trees so that a test can break any
 * field (a wrong type included, which a typed model cannot hold), and sent to the API server untyped.
 */
final class JobManifests {
    static final ResourceDefinitionContext JOBS = new ResourceDefinitionContext.Builder()
            .withGroup("ferry.dev").withVersion("v1alpha1").withPlural("migrationjobs").withKind("MigrationJob")
            .withNamespaced(true).build();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private JobManifests() {
    }

    /** The smallest valid job: a claim, a bucket and a credentials Secret; everything else defaulted. */
    static ObjectNode validJob(String name, String namespace, String claim, String secret) {
        try {
            return (ObjectNode) YAML.readTree("""
                    apiVersion: ferry.dev/v1alpha1
                    kind: MigrationJob
                    metadata:
                      name: %s
                      namespace: %s
                    spec:
                      source:
                        pvc: %s
                      destination:
                        bucket: archive
                        credentialsSecret: %s
                    """.formatted(name, namespace, claim, secret));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GenericKubernetesResource create(KubernetesClient client, ObjectNode job) {
        GenericKubernetesResource resource = Serialization.unmarshal(job.toString(), GenericKubernetesResource.class);
        return client.genericKubernetesResources(JOBS).inNamespace(namespace(job)).resource(resource).create();
    }

    static GenericKubernetesResource get(KubernetesClient client, String namespace, String name) {
        return client.genericKubernetesResources(JOBS).inNamespace(namespace).withName(name).get();
    }

    static String name(ObjectNode job) {
        return job.get("metadata").get("name").asText();
    }

    static String namespace(ObjectNode job) {
        return job.get("metadata").get("namespace").asText();
    }

    static ObjectNode spec(ObjectNode job) {
        return (ObjectNode) job.get("spec");
    }

    static ObjectNode dest(ObjectNode spec) {
        return (ObjectNode) spec.get("destination");
    }

    static ObjectNode source(ObjectNode spec) {
        return (ObjectNode) spec.get("source");
    }

    static ObjectNode tasks(ObjectNode spec) {
        return spec.has("tasks") ? (ObjectNode) spec.get("tasks") : spec.putObject("tasks");
    }

    static ObjectNode workers(ObjectNode spec) {
        return spec.has("workers") ? (ObjectNode) spec.get("workers") : spec.putObject("workers");
    }

    static ObjectNode kafka(ObjectNode spec) {
        return spec.putObject("notifications").putObject("kafka");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }
}
