package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A watch resumed from a resourceVersion (as an informer resumes its watch every few minutes) hears
 * about the objects deleted while it was away: without that, an informer's cache keeps a deleted object
 * for ever, and a history fold waiting for the cache to drop its tasks never ends.
 */
class ResumedWatchIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static LocalKubernetesApi api;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        api = LocalKubernetesApi.start(0);
        client = api.client();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void aResumedWatchGetsTheDeletionsItMissedBeforeAnythingElse() throws Exception {
        for (String name : List.of("kept", "deleted", "recreated", "other-app")) {
            client.configMaps().inNamespace("default").resource(configMap(name, name.equals("other-app") ? "y" : "x")).create();
        }
        String seen = client.configMaps().inNamespace("default").withLabel("app", "x").list().getMetadata().getResourceVersion();

        client.configMaps().inNamespace("default").withName("deleted").delete();
        client.configMaps().inNamespace("default").withName("recreated").delete();
        client.configMaps().inNamespace("default").resource(configMap("recreated", "x")).create();
        client.configMaps().inNamespace("default").withName("other-app").delete();
        client.configMaps().inNamespace("default").resource(configMap("added", "x")).create();

        List<String> events = watch("/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Dx"
                + "&timeoutSeconds=2&resourceVersion=" + seen);

        assertThat(events.subList(0, 2)).containsExactly("DELETED deleted", "DELETED recreated");
        assertThat(events.subList(2, events.size())).containsExactlyInAnyOrder("ADDED recreated", "ADDED added");
    }

    @Test
    void anInformerWhoseWatchWasDownDropsWhatWasDeletedMeanwhile() throws Exception {
        client.configMaps().inNamespace("default").resource(configMap("ghost", "g")).create();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace("default").withLabel("app", "g").inform();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> informer.getStore().list().size() == 1);
        String lastSeen = informer.lastSyncResourceVersion();

        // What the informer's next watch asks for after its watch ended, the object having gone meanwhile
        client.configMaps().inNamespace("default").withName("ghost").delete();
        List<String> events = watch("/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Dg"
                + "&timeoutSeconds=1&resourceVersion=" + lastSeen);

        assertThat(events).containsExactly("DELETED ghost");
        informer.close();
    }

    /** The events of one plain HTTP watch until the server ends it, as "TYPE name". */
    private static List<String> watch(String target) throws Exception {
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(api.url().replaceAll("/$", "") + target)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                JsonNode event = MAPPER.readTree(line);
                events.add(event.path("type").asText() + " " + event.path("object").path("metadata").path("name").asText());
            }
        }
        return events;
    }

    private static ConfigMap configMap(String name, String app) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withLabels(Map.of("app", app)).endMetadata().addToData("k", "v").build();
    }
}
