package dev.ferry.local.apiserver;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local API with Ferry's CRDs installed, for a whole test class: started before its first test, closed after
 * its last. {@code @RegisterExtension static final LocalApiPerClass API = new LocalApiPerClass();}
 */
public final class LocalApiPerClass implements BeforeAllCallback, AfterAllCallback {
    private LocalKubernetesApi api;

    @Override
    public void beforeAll(ExtensionContext context) {
        api = LocalApis.withFerryCrds();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (api != null) {
            api.close();
        }
    }

    public LocalKubernetesApi api() {
        return api;
    }

    public KubernetesClient client() {
        return api.client();
    }
}
