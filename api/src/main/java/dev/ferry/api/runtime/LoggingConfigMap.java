package dev.ferry.api.runtime;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log levels of a running operator or worker, from a ConfigMap in its namespace (default
 * {@value #DEFAULT_NAME}; each data key a logger name or {@code root}, each value a level): created,
 * edited or deleted, it takes effect within seconds, without a restart. Deleting it restores the
 * configured levels. One watch of one object per process.
 */
public final class LoggingConfigMap implements AutoCloseable {
    public static final String DEFAULT_NAME = "ferry-logging";
    /** Names the ConfigMap; {@code off} (or empty) turns the watch off. */
    public static final String NAME_VARIABLE = "FERRY_LOGGING_CONFIGMAP";
    private static final Logger LOG = LoggerFactory.getLogger(LoggingConfigMap.class);

    private final SharedIndexInformer<ConfigMap> informer;

    private LoggingConfigMap(SharedIndexInformer<ConfigMap> informer) {
        this.informer = informer;
    }

    /**
     * Starts watching; null when the environment turns it off, the process does not log through logback,
     * or the ConfigMap cannot be watched (no RBAC: reported once, the process runs on at its levels).
     */
    public static LoggingConfigMap watch(KubernetesClient client, String namespace, Map<String, String> env) {
        String name = env.getOrDefault(NAME_VARIABLE, DEFAULT_NAME).strip();
        LogLevels levels = LogLevels.ofThisProcess();
        if (name.isEmpty() || name.equalsIgnoreCase("off") || levels == null || namespace == null) {
            return null;
        }
        return watch(client, namespace, name, levels);
    }

    static LoggingConfigMap watch(KubernetesClient client, String namespace, String name, LogLevels levels) {
        try {
            SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace).withName(name)
                    .inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(ConfigMap configMap) {
                            levels.apply(data(configMap));
                        }

                        @Override
                        public void onUpdate(ConfigMap before, ConfigMap after) {
                            levels.apply(data(after));
                        }

                        @Override
                        public void onDelete(ConfigMap configMap, boolean finalStateUnknown) {
                            levels.apply(Map.of());
                        }
                    });
            return new LoggingConfigMap(informer);
        } catch (KubernetesClientException e) {
            LOG.warn("log levels stay as configured: cannot watch ConfigMap {}/{} ({})", namespace, name, e.getMessage());
            return null;
        }
    }

    private static Map<String, String> data(ConfigMap configMap) {
        return configMap.getData() == null ? Map.of() : configMap.getData();
    }

    @Override
    public void close() {
        informer.close();
    }
}
