package dev.ferry.local;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.file.Path;
import java.util.Map;

/**
 * The PersistentVolumeClaim objects of the local mode's {@code --volume CLAIM=DIR} bindings: one per
 * binding, {@code Bound}, in the local namespace. On a cluster a user creates the claim and the
 * operator checks that a job's claim exists before it runs the job; the local mode creates them so that
 * the same check passes for the claims it can mount. A job in another namespace needs its claim created
 * there (with {@code kubectl apply}), as on a cluster; the local kubelet mounts any claim of a bound name.
 */
final class BoundClaimObjects {
    /** Where the claim's directory is shown, for a person reading the object with kubectl. */
    static final String DIRECTORY_ANNOTATION = "ferry.dev/local-directory";

    private BoundClaimObjects() {
    }

    static void create(KubernetesClient client, String namespace, Map<String, Path> claims) {
        claims.forEach((name, directory) -> {
            PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace)
                    .resource(new PersistentVolumeClaimBuilder()
                            .withNewMetadata().withName(name).withNamespace(namespace)
                                .addToAnnotations(DIRECTORY_ANNOTATION, directory.toString()).endMetadata()
                            .withNewSpec().withAccessModes("ReadWriteMany").withVolumeName("local-" + name)
                                .withStorageClassName("local-directory").endSpec()
                            .build())
                    .createOr(NonDeletingOperation::update);
            claim.setStatus(new PersistentVolumeClaimStatusBuilder()
                    .withPhase("Bound").withAccessModes("ReadWriteMany").build());
            client.persistentVolumeClaims().inNamespace(namespace).resource(claim).updateStatus();
        });
    }
}
