package dev.ferry.local;

import dev.ferry.api.runtime.SecretValues;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapEnvSource;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretEnvSource;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The container's environment as the kubelet would give it: whole Secrets and ConfigMaps ({@code envFrom},
 * each key with the source's prefix), then {@code env} over them, with downward API ({@code fieldRef}) and
 * Secret keys ({@code secretKeyRef}) resolved — read from the API now, as a kubelet does at container start —
 * and mount paths translated to the host directories bound to the claims: that is how PVC volumes are
 * "mounted" in the local mode.
 */
final class ContainerEnvironment {
    /** {@code metadata.labels['key']} or {@code metadata.annotations['key']}. */
    private static final Pattern KEYED_FIELD = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private final KubernetesClient client;

    ContainerEnvironment(KubernetesClient client) {
        this.client = client;
    }

    /** The environment variables; a missing Secret, ConfigMap or key that is not optional fails the start. */
    Map<String, String> resolve(Pod pod, Container container, Map<String, Path> mounts) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Secret> secrets = new HashMap<>();
        String namespace = pod.getMetadata().getNamespace();
        for (EnvFromSource from : container.getEnvFrom() == null ? List.<EnvFromSource>of() : container.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            sourceData(namespace, from, secrets).forEach((key, value) ->
                    env.put(prefix + key, translateMountedPath(value, mounts)));
        }
        for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            String value = var.getValue();
            EnvVarSource from = var.getValueFrom();
            if (from != null && from.getFieldRef() != null) {
                value = fieldValue(pod, from.getFieldRef().getFieldPath());
            } else if (from != null && from.getSecretKeyRef() != null) {
                value = secretValue(namespace, from.getSecretKeyRef(), secrets);
            }
            if (value != null) {
                env.put(var.getName(), translateMountedPath(value, mounts));
            }
        }
        return env;
    }

    static String fieldValue(Pod pod, String fieldPath) {
        Matcher keyed = KEYED_FIELD.matcher(fieldPath);
        if (keyed.matches()) {
            Map<String, String> map = "labels".equals(keyed.group(1)) ? pod.getMetadata().getLabels()
                    : pod.getMetadata().getAnnotations();
            return map == null ? null : map.get(keyed.group(2));
        }
        return switch (fieldPath) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "spec.nodeName" -> "local";
            case "spec.serviceAccountName" -> pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
            case "status.podIP", "status.hostIP" -> "127.0.0.1";
            default -> null;
        };
    }

    /** All keys of the Secret or ConfigMap; none of an optional one that is missing. */
    private Map<String, String> sourceData(String namespace, EnvFromSource from, Map<String, Secret> read) {
        Map<String, String> data = new LinkedHashMap<>();
        if (from.getSecretRef() != null) {
            SecretEnvSource ref = from.getSecretRef();
            Secret secret = read.computeIfAbsent(ref.getName(),
                    name -> client.secrets().inNamespace(namespace).withName(name).get());
            if (secret == null && !Boolean.TRUE.equals(ref.getOptional())) {
                throw new ContainerConfigException("secret \"" + ref.getName() + "\" not found");
            }
            if (secret != null) {
                SecretValues.keys(secret).forEach(key -> data.put(key, secretData(secret, key)));
            }
        } else if (from.getConfigMapRef() != null) {
            ConfigMapEnvSource ref = from.getConfigMapRef();
            ConfigMap map = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
            if (map == null && !Boolean.TRUE.equals(ref.getOptional())) {
                throw new ContainerConfigException("configmap \"" + ref.getName() + "\" not found");
            }
            if (map != null && map.getData() != null) {
                data.putAll(map.getData());
            }
        }
        return data;
    }

    private String secretValue(String namespace, SecretKeySelector ref, Map<String, Secret> read) {
        boolean optional = Boolean.TRUE.equals(ref.getOptional());
        Secret secret = read.computeIfAbsent(ref.getName(),
                name -> client.secrets().inNamespace(namespace).withName(name).get());
        String value = secret == null ? null : secretData(secret, ref.getKey());
        if (value == null && !optional) {
            throw new ContainerConfigException(secret == null
                    ? "secret \"" + ref.getName() + "\" not found"
                    : "couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName());
        }
        return value;
    }

    /** A key of {@code data} (base64), or of {@code stringData}, which the local API does not fold into data. */
    static String secretData(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            return new String(Base64.getDecoder().decode(secret.getData().get(key).strip()), StandardCharsets.UTF_8);
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }

    static String translateMountedPath(String value, Map<String, Path> mounts) {
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            String mountPath = mount.getKey();
            if (value.equals(mountPath)) {
                return mount.getValue().toString();
            }
            if (value.startsWith(mountPath.endsWith("/") ? mountPath : mountPath + "/")) {
                return mount.getValue().resolve(value.substring(mountPath.length()).replaceFirst("^/+", "")).toString();
            }
        }
        return value;
    }

    /** The container cannot be configured (a Secret or key is missing): it does not start. */
    static final class ContainerConfigException extends RuntimeException {
        ContainerConfigException(String message) {
            super(message);
        }
    }
}
