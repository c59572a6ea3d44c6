package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example in samples/ is a valid resource: unknown or misspelt fields fail the build. */
class SamplesTest {
    private static final Path SAMPLES = Path.of("..", "samples");
    private static final ObjectMapper STRICT = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void thereAreSamples() throws IOException {
        assertThat(samples()).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMigrationJobInASampleParsesWithoutUnknownFields(Path sample) throws IOException {
        List<JsonNode> docs = documents(sample);
        assertThat(docs).as("documents in %s", sample).isNotEmpty();
        for (JsonNode doc : docs) {
            if ("MigrationJob".equals(doc.path("kind").asText())) {
                assertThat(doc.path("apiVersion").asText()).isEqualTo(Ferry.API_VERSION);
                MigrationJob job = STRICT.treeToValue(doc, MigrationJob.class);
                assertThat(job.getSpec().source.pvc).as("spec.source.pvc in %s", sample).isNotBlank();
                assertThat(job.getSpec().destination.bucket).matches(Patterns.BUCKET);
                assertThat(job.getSpec().destination.credentialsSecret).isNotBlank();
            }
        }
    }

    @Test
    void aMisspeltFieldIsRefused() {
        String yaml = """
                apiVersion: ferry.dev/v1alpha1
                kind: MigrationJob
                metadata: {name: typo}
                spec:
                  source: {pvc: data}
                  destination: {bucket: demo, credentialsSecret: s3, prefx: oops}
                """;
        assertThatThrownBy(() -> STRICT.readValue(yaml, MigrationJob.class))
                .isInstanceOf(UnrecognizedPropertyException.class)
                .hasMessageContaining("prefx");
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            var it = STRICT.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    docs.add(node);
                }
            }
        }
        return docs;
    }
}
