package dev.ferry.api.runtime;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Tells a Kubernetes client which classes Ferry's kinds are, so that it reads them typed from the start.
 *
 * <p>A client that does not know a kind reads each watch event's object as a
 * {@code GenericKubernetesResource} (a tree of maps) and then converts that to the watched class: the object
 * is bound twice. Every task change reaches the operator and the workers as a watch event, and on the
 * control-plane scale benchmark (10,000 live tasks) that second binding was a tenth of the operator's CPU.
 *
 * <p>The registration belongs to the one client (its own serialization); it is not made through the
 * {@code KubernetesResource} service file, which would also type the objects the local API's store reads
 * and writes back, and that store must keep what it was sent.
 */
public final class FerryKinds {
    private FerryKinds() {
    }

    /** Registers MigrationJob and MigrationTask with {@code client}'s serialization; returns the client. */
    public static KubernetesClient registeredWith(KubernetesClient client) {
        client.getKubernetesSerialization().registerKubernetesResource(MigrationJob.class);
        client.getKubernetesSerialization().registerKubernetesResource(MigrationTask.class);
        return client;
    }
}
