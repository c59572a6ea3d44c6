package dev.ferry.local.apiserver;

import dev.ferry.api.CrdResources;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Local APIs for tests. */
public final class LocalApis {
    private LocalApis() {
    }

    /** A local API on a free port with Ferry's CRDs installed through it. */
    public static LocalKubernetesApi withFerryCrds() {
        LocalKubernetesApi api = LocalKubernetesApi.start(0);
        for (String file : CrdResources.FILES) {
            api.client().apiextensions().v1().customResourceDefinitions()
                    .resource(Serialization.unmarshal(CrdResources.read(file), CustomResourceDefinition.class))
                    .createOr(NonDeletingOperation::update);
        }
        return api;
    }
}
