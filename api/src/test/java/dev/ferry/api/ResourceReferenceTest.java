package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/resources.md is what the CRDs' schemas render to, as crds/ is what the classes generate (CrdDriftTest):
 * a description changed in api/ reaches the page only through a regeneration, and a stale page fails the build.
 * Regenerate with: mvn -q -pl api test -Dtest=ResourceReferenceTest -Dferry.docs.update=true
 */
class ResourceReferenceTest {
    private static final Path PAGE = Path.of("..", "docs", "resources.md");

    @Test
    void committedReferenceMatchesTheCrds() throws IOException {
        String expected = ResourceReference.render();
        if (Boolean.getBoolean(ResourceReference.UPDATE_PROPERTY)) {
            Files.writeString(PAGE, expected, StandardCharsets.UTF_8);
        }
        assertThat(PAGE).as("%s is missing; run: %s", PAGE, ResourceReference.REGENERATE).exists();
        assertThat(Files.readString(PAGE, StandardCharsets.UTF_8))
                .as("%s differs from what the CRDs in crds/ render to; run: %s", PAGE, ResourceReference.REGENERATE)
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"migrationjobs.ferry.dev.yaml", "migrationtasks.ferry.dev.yaml"})
    void everySpecFieldIsDescribed(String crd) {
        assertThat(ResourceReference.undocumentedFields(crd, "spec"))
                .as("spec fields of %s without @JsonPropertyDescription: users read these in kubectl explain and"
                        + " docs/resources.md", crd)
                .isEmpty();
    }

    @Test
    void theReferenceListsEveryFieldOfBothResources() {
        String page = ResourceReference.render();
        assertThat(page)
                .contains("## MigrationJob", "## MigrationTask")
                .contains("| `spec.source.pvc` **required** | string |")
                .contains("| `spec.tasks.maxFiles` | integer | `5000` | ≥ 1; ≤ 10,000 |")
                .contains("### `spec.notifications.kafka`")
                .contains("- CEL `self.mode != 'Move' || self.verify == 'Checksum'`")
                .contains("### `status.files`");
    }
}
