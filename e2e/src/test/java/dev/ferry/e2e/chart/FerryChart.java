package dev.ferry.e2e.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * charts/ferry run through Helm's own library (helm-java bundles Helm as a native library: no helm binary): lint,
 * and template rendered as release {@value #RELEASE} in namespace {@value #NAMESPACE}.
 */
final class FerryChart {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path CHART = REPO.resolve("charts").resolve("ferry");
    /** Every option of the chart turned on (Helm's ci/ convention). */
    static final Path ALL_OPTIONS = CHART.resolve("ci").resolve("all-options-values.yaml");
    static final String RELEASE = "ferry";
    static final String NAMESPACE = "ferry-system";
    /** Kinds the chart renders that live outside any namespace. */
    static final Set<String> CLUSTER_SCOPED = Set.of("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
            "Namespace");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private FerryChart() {
    }

    /** The values a test renders with: the chart's defaults, or the defaults with a values file over them. */
    enum Values {
        DEFAULTS(null), ALL_OPTIONS(FerryChart.ALL_OPTIONS);

        final Path file;

        Values(Path file) {
            this.file = file;
        }
    }

    /**
     * {@code helm lint --strict}. Helm's library lints a chart only with the values in the chart, so with a values
     * file the chart is copied and its values.yaml replaced by the defaults merged with that file (as Helm merges
     * them for template and install: maps key by key, anything else replaced).
     */
    static LintResult lint(Values values, Path workDir) throws IOException {
        Path chart = CHART;
        if (values.file != null) {
            chart = workDir.resolve("ferry");
            copyTree(CHART, chart);
            JsonNode merged = merge(YAML.readTree(CHART.resolve("values.yaml").toFile()),
                    YAML.readTree(values.file.toFile()));
            YAML.writeValue(chart.resolve("values.yaml").toFile(), merged);
        }
        return new Helm(chart).lint().strict().call();
    }

    /** {@code helm template} of the chart: the text Helm prints. */
    static String template(Values values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (values.file != null) {
            template = template.withValuesFile(values.file);
        }
        return template.call();
    }

    /** Every document of {@code text} that holds an object, parsed by Fabric8 (typed where it knows the kind). */
    static List<HasMetadata> objects(String text) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : text.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            objects.add(Serialization.unmarshal(document, HasMetadata.class));
        }
        return objects;
    }

    /** The chart's CRDs (crds/, which helm template leaves out), each file's text after the other. */
    static String crds() {
        try (Stream<Path> files = Files.list(CHART.resolve("crds"))) {
            StringBuilder text = new StringBuilder();
            for (Path file : files.sorted().toList()) {
                text.append(Files.readString(file)).append("\n---\n");
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<HasMetadata> render(Values values) {
        return objects(template(values));
    }

    static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static Optional<HasMetadata> ofKind(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(o -> o.getKind().equals(kind)).findFirst();
    }

    /** The values file of the chart as a tree. */
    static JsonNode values(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A map's value at a dotted path of keys, as plain Java objects (for comparing with parsed objects). */
    @SuppressWarnings("unchecked")
    static Object at(Path valuesFile, String dottedPath) {
        Object value = YAML.convertValue(values(valuesFile), Map.class);
        for (String key : dottedPath.split("\\.")) {
            value = ((Map<String, Object>) value).get(key);
        }
        return value;
    }

    private static JsonNode merge(JsonNode defaults, JsonNode override) {
        if (!(defaults instanceof ObjectNode base) || !override.isObject()) {
            return override;
        }
        ObjectNode merged = base.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> fields = override.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode current = merged.get(field.getKey());
            merged.set(field.getKey(), current == null ? field.getValue() : merge(current, field.getValue()));
        }
        return merged;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
