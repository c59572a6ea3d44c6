package dev.ferry.local.apiserver;

import static dev.ferry.local.apiserver.JobManifests.JOBS;
import static dev.ferry.local.apiserver.JobManifests.dest;
import static dev.ferry.local.apiserver.JobManifests.map;
import static dev.ferry.local.apiserver.JobManifests.spec;
import static dev.ferry.local.apiserver.JobManifests.tasks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The local API admits custom resources as a real API server does: defaults are set; unknown fields are
 * pruned; the CRD's CEL rules, transition rules included, hold on every write, the status's included.
 * Every malformed job a user may write, refused here or by the operator, is {@link MalformedJobSpecsIT}'s.
 */
class JobSpecAdmissionIT {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @RegisterExtension
    static final LocalApiPerClass API = new LocalApiPerClass();

    @Test
    void acceptsAValidJobAndSetsTheSchemaDefaults() throws Exception {
        ObjectNode job = validJob();
        tasks((ObjectNode) job.get("spec")).put("maxFiles", 250);

        GenericKubernetesResource created = create(job);

        Map<String, Object> spec = spec(created);
        assertThat(spec).containsEntry("mode", "Copy").containsEntry("verify", "Checksum")
                .containsEntry("overwrite", "IfDifferent");
        assertThat(map(spec, "tasks")).containsEntry("maxFiles", 250).containsEntry("maxAttempts", 5)
                .containsEntry("stallTimeout", "5m");
        assertThat(map(spec, "source")).containsEntry("path", "/");
    }

    @Test
    void prunesAnUnknownFieldWhenTheClientDoesNotAskForStrictValidation() throws Exception {
        ObjectNode job = validJob();
        dest((ObjectNode) job.get("spec")).put("bucketName", "typo");

        GenericKubernetesResource created = create(job);

        assertThat(map(spec(created), "destination")).doesNotContainKey("bucketName").containsKey("bucket");
    }

    @Test
    void refusesAChangeOfDestinationAndAcceptsAChangeOfAnythingElse() throws Exception {
        GenericKubernetesResource created = create(validJob());
        String name = created.getMetadata().getName();

        assertThatThrownBy(() -> API.client().genericKubernetesResources(JOBS).inNamespace("default").withName(name)
                .edit(j -> {
                    map(spec(j), "destination").put("bucket", "elsewhere");
                    return j;
                })).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getMessage())
                            .contains("destination is immutable: create a new job to migrate elsewhere");
                });
        GenericKubernetesResource suspended = API.client().genericKubernetesResources(JOBS).inNamespace("default")
                .withName(name).edit(j -> {
                    spec(j).put("suspend", true);
                    return j;
                });
        assertThat(spec(suspended)).containsEntry("suspend", true);
        assertThat(map(spec(suspended), "destination")).containsEntry("bucket", "archive");
    }

    @Test
    void refusesAChangeOfSourceWhileARunIsInProgressAndAcceptsItBeforeTheFirstRunAndBetweenRuns() throws Exception {
        String name = create(validJob()).getMetadata().getName();

        assertThat(map(spec(editSource(name, "path", "/exports/2024")), "source"))
                .as("before the first run").containsEntry("path", "/exports/2024");
        for (String phase : new String[] {"Planning", "Running", "Verifying", "Suspended"}) {
            setPhase(name, phase);
            assertThatThrownBy(() -> editSource(name, "pvc", "other-claim")).as(phase)
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(422);
                        assertThat(e.getStatus().getMessage())
                                .contains("source cannot change while a run is in progress");
                        assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
                                .containsExactly("spec.source");
                    });
        }
        GenericKubernetesResource resumed = jobs().withName(name).edit(j -> {
            spec(j).put("suspend", false);
            return j;
        });
        assertThat(spec(resumed)).as("the rest of the spec may change during a run").containsEntry("suspend", false);
        for (String phase : new String[] {"Succeeded", "Failed", "Pending"}) {
            setPhase(name, phase);
            assertThat(map(spec(editSource(name, "pvc", "claim-" + phase.toLowerCase())), "source")).as(phase)
                    .containsEntry("pvc", "claim-" + phase.toLowerCase());
        }
    }

    @Test
    void validatesStatusWritesAgainstTheSchemaToo() throws Exception {
        GenericKubernetesResource created = create(validJob());
        created.setAdditionalProperty("status", Map.of("phase", "Exploded"));

        assertThatThrownBy(() -> API.client().genericKubernetesResources(JOBS).inNamespace("default").resource(created)
                .updateStatus()).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
                            .containsExactly("status.phase");
                });
    }

    @Test
    void refusesANameThatIsNotADnsSubdomain() throws Exception {
        ObjectNode job = validJob();
        ((ObjectNode) job.get("metadata")).put("name", "Nightly_Archive");

        assertThatThrownBy(() -> create(job)).isInstanceOfSatisfying(KubernetesClientException.class, e ->
                assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
                        .containsExactly("metadata.name"));
    }

    @Test
    void refusesANameTooLongToLabelTheJobsTasksAndPods() throws Exception {
        ObjectNode job = validJob();
        ((ObjectNode) job.get("metadata")).put("name", "nightly-archive-of-the-projects-share-" + "x".repeat(26));

        assertThatThrownBy(() -> create(job)).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(422);
            assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getMessage)
                    .anySatisfy(message -> assertThat(message).contains("metadata.name must be at most 63 characters"));
        });
        ((ObjectNode) job.get("metadata")).put("name", "nightly-archive-of-the-projects-share-" + "x".repeat(25));
        assertThat(create(job).getMetadata().getName()).hasSize(63);
    }

    // --- helpers -------------------------------------------------------------------------------

    private static ObjectNode validJob() {
        return JobManifests.validJob("job-" + NAMES.incrementAndGet(), "default", "nas-data", "s3-credentials");
    }

    private static GenericKubernetesResource editSource(String name, String field, String value) {
        return jobs().withName(name).edit(j -> {
            map(spec(j), "source").put(field, value);
            return j;
        });
    }

    private static void setPhase(String name, String phase) {
        GenericKubernetesResource job = jobs().withName(name).get();
        job.setAdditionalProperty("status", Map.of("phase", phase));
        jobs().resource(job).updateStatus();
    }

    private static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> jobs() {
        return API.client().genericKubernetesResources(JOBS).inNamespace("default");
    }

    private static GenericKubernetesResource create(ObjectNode job) {
        return JobManifests.create(API.client(), job);
    }
}
