package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs in crds/ are what the classes generate. Fabric8's generator orders printer columns by
 * JSONPath, so the declared order (Ready ... Age) is restored here; that order is what users see.
 * Regenerate with: mvn -q -pl api verify -Dferry.crds.update=true
 */
class CrdDriftTest {
    private static final Path CRDS = Path.of("..", "crds");

    @ParameterizedTest
    @ValueSource(classes = {MigrationJob.class, MigrationTask.class})
    void committedCrdMatchesTheClasses(Class<?> resource) throws IOException {
        String plural = resource.getAnnotation(io.fabric8.kubernetes.model.annotation.Plural.class).value();
        Path committed = CRDS.resolve(plural + "." + Ferry.GROUP + ".yaml");
        String expected = canonicalCrd(resource, plural);
        if (Boolean.getBoolean("ferry.crds.update")) {
            Files.writeString(committed, expected);
        }
        assertThat(committed).exists();
        assertThat(Files.readString(committed))
                .as("%s differs from what the classes generate; run: mvn -q -pl api verify -Dferry.crds.update=true", committed)
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(classes = {MigrationJob.class, MigrationTask.class})
    void helmChartShipsTheSameCrds(Class<?> resource) throws IOException {
        String plural = resource.getAnnotation(io.fabric8.kubernetes.model.annotation.Plural.class).value();
        String file = plural + "." + Ferry.GROUP + ".yaml";
        Path inChart = Path.of("..", "charts", "ferry", "crds", file);
        if (Boolean.getBoolean("ferry.crds.update")) {
            Files.writeString(inChart, canonicalCrd(resource, plural));
        }
        assertThat(inChart).exists();
        assertThat(Files.readString(inChart)).as("%s differs from crds/%s", inChart, file)
                .isEqualTo(Files.readString(CRDS.resolve(file)));
    }

    @ParameterizedTest
    @ValueSource(classes = {MigrationJob.class, MigrationTask.class})
    void crdKeepsTheDeclaredColumnOrderAndAStatusSubresource(Class<?> resource) throws IOException {
        String plural = resource.getAnnotation(io.fabric8.kubernetes.model.annotation.Plural.class).value();
        CustomResourceDefinition crd = Serialization.unmarshal(canonicalCrd(resource, plural), CustomResourceDefinition.class);
        var version = crd.getSpec().getVersions().get(0);
        assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
                .containsExactlyElementsOf(declaredColumns(resource));
        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(crd.getSpec().getNames().getCategories()).containsExactly(Ferry.CATEGORY);
    }

    static String canonicalCrd(Class<?> resource, String plural) throws IOException {
        String generatedPath = "/META-INF/fabric8/" + plural + "." + Ferry.GROUP + "-v1.yml";
        String generated;
        try (InputStream in = resource.getResourceAsStream(generatedPath)) {
            assertThat(in).as("generated CRD %s", generatedPath).isNotNull();
            generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        CustomResourceDefinition crd = Serialization.unmarshal(generated, CustomResourceDefinition.class);
        List<String> order = declaredColumns(resource);
        crd.getSpec().getVersions().forEach(v -> v.getAdditionalPrinterColumns()
                .sort(Comparator.comparingInt(c -> order.indexOf(c.getName()))));
        return "# Generated from the classes in api/ by Fabric8's CRD generator; do not edit.\n"
                + "# Regenerate: mvn -q -pl api verify -Dferry.crds.update=true\n"
                + Serialization.asYaml(crd);
    }

    private static List<String> declaredColumns(Class<?> resource) {
        return Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
    }
}
