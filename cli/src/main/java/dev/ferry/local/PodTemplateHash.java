package dev.ferry.local;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code pod-template-hash} of a Deployment's pod template, as its ReplicaSets are told apart: a pod
 * started from an older template (after {@code kubectl rollout restart} or an edit) is replaced.
 */
final class PodTemplateHash {
    static final String LABEL = "pod-template-hash";

    private PodTemplateHash() {
    }

    static String of(Deployment deployment) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    Serialization.asJson(deployment.getSpec().getTemplate()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
