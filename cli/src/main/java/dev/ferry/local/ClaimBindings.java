package dev.ferry.local;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PersistentVolumeClaims bound to host directories, what PersistentVolumes are on a cluster. A
 * container's PVC volume mounts resolve to these directories; a claim bound to none keeps the
 * Deployment's pods from starting, reported once per Deployment and claim.
 */
final class ClaimBindings {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimBindings.class);

    private final Map<String, Path> claims = new ConcurrentHashMap<>();
    private final Set<String> reportedUnboundClaims = ConcurrentHashMap.newKeySet();
    private final DeploymentEvents events;

    ClaimBindings(Map<String, Path> claims, DeploymentEvents events) {
        this.claims.putAll(claims);
        this.events = events;
    }

    void bind(String claim, Path directory) {
        claims.put(claim, directory.toAbsolutePath().normalize());
    }

    /** Mount path to host directory for each PVC volume mount, or null when a claim is not bound. */
    Map<String, Path> mountsFor(Deployment deployment, List<Volume> volumes, List<VolumeMount> volumeMounts) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount mount : volumeMounts == null ? List.<VolumeMount>of() : volumeMounts) {
            Volume volume = volumes.stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElse(null);
            if (volume == null || volume.getPersistentVolumeClaim() == null) {
                continue;
            }
            String claim = volume.getPersistentVolumeClaim().getClaimName();
            Path dir = claims.get(claim);
            if (dir == null) {
                reportUnboundClaim(deployment, claim);
                return null;
            }
            mounts.put(mount.getMountPath(), dir);
        }
        return mounts;
    }

    private void reportUnboundClaim(Deployment deployment, String claim) {
        String key = deployment.getMetadata().getUid() + "/" + claim;
        if (!reportedUnboundClaims.add(key)) {
            return;
        }
        String message = "claim '" + claim + "' is not bound to a directory in the local mode: start with --volume "
                + claim + "=DIR";
        LOG.warn("cannot start workers of {}: {}", deployment.getMetadata().getName(), message);
        events.warn(deployment, "FailedMount", message);
    }
}
