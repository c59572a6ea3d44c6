package dev.ferry.e2e.chart;

import static dev.ferry.e2e.chart.FerryChart.at;
import static dev.ferry.e2e.chart.FerryChart.ofKind;
import static dev.ferry.e2e.chart.FerryChart.only;
import static dev.ferry.e2e.chart.FerryChart.render;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import dev.ferry.e2e.chart.FerryChart.Values;
import dev.ferry.operator.config.OperatorSettings;
import dev.ferry.operator.config.WorkerPodDefaults;
import dev.ferry.operator.workers.WorkerDeploymentFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Helm chart as Helm itself lints and renders it (helm-java: Helm's library, no binary), with its defaults and
 * with every option on (charts/ferry/ci/all-options-values.yaml). ChartApiIT applies the same objects to the local
 * API; PlainManifestsTest keeps charts/manifests equal to the default render.
 */
class ChartTest {
    private static final Path WORKER_POD_DEFAULTS = Path.of("/etc/ferry/worker-pod/pod-defaults.yaml");

    @TempDir
    Path workDir;

    @ParameterizedTest
    @EnumSource(Values.class)
    void lintsStrictlyWithoutErrorsOrWarnings(Values values) throws IOException {
        LintResult lint = FerryChart.lint(values, workDir);

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    void rendersOnlyNamedObjectsWithTheirNamespaceSet(Values values) {
        List<HasMetadata> objects = render(values);

        assertThat(objects).isNotEmpty().allSatisfy(object -> {
            assertThat(object.getApiVersion()).isNotBlank();
            assertThat(object.getMetadata().getName()).isNotBlank();
            // Set in the template, so that the plain manifests need no namespace from kubectl or kustomize.
            if (FerryChart.CLUSTER_SCOPED.contains(object.getKind())) {
                assertThat(object.getMetadata().getNamespace()).as("%s", object.getKind()).isNull();
            } else {
                assertThat(object.getMetadata().getNamespace()).as("%s", object.getKind()).isNotBlank();
            }
        });
        assertThat(objects).extracting(HasMetadata::getKind).contains("Deployment", "ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "RoleBinding", "ConfigMap", "Service", "PodDisruptionBudget");
    }

    @ParameterizedTest
    @EnumSource(Values.class)
    void runsTheOperatorAsNonRootWithARestrictedSecurityContext(Values values) {
        PodSpec pod = operatorPod(render(values));
        Container operator = pod.getContainers().get(0);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(operator.getResources().getLimits()).containsKey("memory");
    }

    @Test
    void protectsTheOperatorPodsWithADisruptionBudgetThatSelectsThem() {
        List<HasMetadata> objects = render(Values.DEFAULTS);
        PodDisruptionBudget budget = only(objects, PodDisruptionBudget.class);
        Deployment operator = only(objects, Deployment.class);

        assertThat(operator.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "operator");
        assertThat(budget.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
        assertThat(budget.getSpec().getMinAvailable()).isNull();
        assertThat(operator.getSpec().getReplicas()).as("a drain leaves a standby").isGreaterThan(1);

        PodDisruptionBudget allOptions = only(render(Values.ALL_OPTIONS), PodDisruptionBudget.class);
        assertThat(allOptions.getSpec().getMinAvailable()).isEqualTo(new IntOrString(2));
        assertThat(allOptions.getSpec().getMaxUnavailable()).isNull();
    }

    @Test
    void servesMetricsOnANamedPortThatTheProbesAndTheServiceUse() {
        List<HasMetadata> objects = render(Values.DEFAULTS);
        Container operator = operatorPod(objects).getContainers().get(0);
        Service service = only(objects, Service.class);

        assertThat(operator.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("metrics");
            assertThat(port.getContainerPort()).isEqualTo(8080);
        });
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(operator.getLivenessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("metrics"));
        assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(operator.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("metrics"));
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(port -> assertThat(port.getTargetPort()).isEqualTo(new IntOrString("metrics")));
        assertThat(only(objects, Deployment.class).getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
    }

    @Test
    void rendersTheMonitorsOnlyWhenTheyAreEnabled() {
        assertThat(render(Values.DEFAULTS)).extracting(HasMetadata::getKind)
                .doesNotContain("ServiceMonitor", "PodMonitor");

        List<HasMetadata> objects = render(Values.ALL_OPTIONS);
        Service service = only(objects, Service.class);
        GenericKubernetesResource serviceMonitor = monitor(objects, "ServiceMonitor");
        assertThat(serviceMonitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(service.getMetadata().getLabels())
                .containsAllEntriesOf(stringMap(serviceMonitor.get("spec", "selector", "matchLabels")));
        assertThat(serviceMonitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        List<Map<String, Object>> endpoints = serviceMonitor.get("spec", "endpoints");
        assertThat(endpoints).singleElement().satisfies(endpoint -> assertThat(endpoint)
                .containsEntry("port", "metrics").containsEntry("path", "/metrics").containsEntry("interval", "15s"));
    }

    @Test
    void shipsAGrafanaDashboardOfDocumentedMetricsOnlyWhenAsked() throws IOException {
        assertThat(FerryChart.all(render(Values.DEFAULTS), ConfigMap.class))
                .noneMatch(c -> c.getMetadata().getName().endsWith("-grafana-dashboard"));

        ConfigMap dashboard = FerryChart.all(render(Values.ALL_OPTIONS), ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-grafana-dashboard")).findFirst().orElseThrow();
        JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard.getData().get("ferry.json"));

        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(json.path("panels")).isNotEmpty();
        String documented = Files.readString(Path.of("..", "docs", "metrics.md"));
        Set<String> used = new TreeSet<>();
        Matcher names = Pattern.compile("\\bferry_[a-z0-9_]+").matcher(json.toString());
        while (names.find()) {
            if (!names.group().equals("ferry_job")) { // the workers' job label, not a metric
                used.add(names.group().replaceAll("_(count|sum|max|bucket)$", ""));
            }
        }
        assertThat(used).as("every Ferry metric the dashboard queries is documented").isNotEmpty()
                .allSatisfy(name -> assertThat(documented).contains("`" + name + "`"));
    }

    @Test
    void scrapesWorkerPodsByTheLabelsTheOperatorGivesThemInTheWatchedNamespaces() {
        GenericKubernetesResource podMonitor = monitor(render(Values.ALL_OPTIONS), "PodMonitor");

        assertThat(WorkerDeploymentFactory.labels("any-job"))
                .containsAllEntriesOf(stringMap(podMonitor.get("spec", "selector", "matchLabels")));
        assertThat((List<String>) podMonitor.get("spec", "namespaceSelector", "matchNames"))
                .containsExactly("team-a", "team-b");
        List<Map<String, Object>> endpoints = podMonitor.get("spec", "podMetricsEndpoints");
        // The container port WorkerDeploymentFactory gives every worker (Ferry.METRICS_PORT_NAME).
        assertThat(endpoints).singleElement().satisfies(endpoint -> assertThat(endpoint)
                .containsEntry("port", "metrics").containsEntry("path", "/metrics"));
    }

    @Test
    void annotatesTheWorkersServiceAccountsForTheirOwnAwsIdentityWhenAsked() {
        List<HasMetadata> workerAccounts = render(Values.ALL_OPTIONS).stream()
                .filter(o -> o.getKind().equals("ServiceAccount") && o.getMetadata().getName().equals("ferry-copier"))
                .toList();

        assertThat(workerAccounts).extracting(o -> o.getMetadata().getNamespace()).containsExactly("team-a", "team-b");
        assertThat(workerAccounts).allSatisfy(account -> assertThat(account.getMetadata().getAnnotations())
                .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/ferry-writer"));
        assertThat(render(Values.DEFAULTS).stream().filter(o -> o.getKind().equals("ServiceAccount")))
                .allSatisfy(account -> assertThat(account.getMetadata().getAnnotations()).isNullOrEmpty());
    }

    @Test
    void passesTheWorkerPodDefaultsToTheOperatorAsAMountedFile() {
        List<HasMetadata> objects = render(Values.ALL_OPTIONS);
        PodSpec operatorPod = operatorPod(objects);
        ConfigMap config = workerPodDefaults(objects);
        PodSpec defaults = Serialization.unmarshal(config.getData().get(WORKER_POD_DEFAULTS.getFileName().toString()),
                PodSpec.class);

        assertThat(defaults.getTolerations()).singleElement().satisfies(toleration -> assertThat(toleration)
                .extracting(Toleration::getKey, Toleration::getOperator, Toleration::getEffect)
                .containsExactly("storage", "Exists", "NoSchedule"));
        assertThat(defaults.getNodeSelector()).isEqualTo(at(FerryChart.ALL_OPTIONS, "workers.nodeSelector"));
        assertThat(defaults.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()).hasSize(1);
        assertThat(defaults.getImagePullSecrets()).extracting(LocalObjectReference::getName)
                .containsExactly("worker-regcred");
        assertThat(defaults.getContainers()).isEmpty();
        assertThat(Serialization.unmarshal(config.getData().get("pod-defaults.yaml"), Map.class))
                .containsKeys("resources");
        assertThat(operatorPod.getVolumes()).filteredOn(volume -> volume.getConfigMap() != null)
                .singleElement().satisfies(volume ->
                        assertThat(volume.getConfigMap().getName()).isEqualTo(config.getMetadata().getName()));
        assertThat(operatorPod.getContainers().get(0).getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getMountPath()).isEqualTo(WORKER_POD_DEFAULTS.getParent().toString());
            assertThat(mount.getReadOnly()).isTrue();
        });
    }

    @Test
    void theOperatorReadsTheRenderedWorkerPodDefaultsFromTheFileItIsTold(@TempDir Path temp) throws IOException {
        List<HasMetadata> objects = render(Values.ALL_OPTIONS);
        Container operator = operatorPod(objects).getContainers().get(0);
        Path file = temp.resolve(WORKER_POD_DEFAULTS.getFileName());
        Files.writeString(file, workerPodDefaults(objects).getData().get(WORKER_POD_DEFAULTS.getFileName().toString()));

        WorkerPodDefaults defaults = WorkerPodDefaults.read(file);

        assertThat(operator.getEnv()).anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue())
                .isEqualTo("FERRY_WORKER_POD_DEFAULTS=" + WORKER_POD_DEFAULTS));
        assertThat(defaults.imagePullSecrets()).extracting(LocalObjectReference::getName).containsExactly("worker-regcred");
        assertThat(defaults.tolerations()).singleElement().extracting(Toleration::getKey).isEqualTo("storage");
        assertThat(defaults.nodeSelector()).isEqualTo(at(FerryChart.ALL_OPTIONS, "workers.nodeSelector"));
        assertThat(defaults.logFormat()).isEqualTo("json");
        assertThat(defaults.podLabels()).containsExactly(Map.entry("cost-center", "storage-migration"));
        assertThat(defaults.podAnnotations()).containsExactly(Map.entry("sidecar.istio.io/inject", "false"));
        assertThat(defaults.priorityClassName()).isEqualTo("batch-low");
        assertThat(operator.getEnv()).anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue())
                .isEqualTo("FERRY_LOGGING_CONFIGMAP=ferry-log-levels"));
    }

    @Test
    void givesWorkersTheOperatorsPullSecretsUnlessTheyHaveTheirOwn() {
        List<HasMetadata> objects = FerryChart.objects(new com.marcnuri.helm.Helm(FerryChart.CHART).template()
                .withName(FerryChart.RELEASE).withNamespace(FerryChart.NAMESPACE)
                .set("imagePullSecrets[0].name", "regcred").call());
        PodSpec defaults = Serialization.unmarshal(workerPodDefaults(objects).getData().get("pod-defaults.yaml"),
                PodSpec.class);

        assertThat(defaults.getImagePullSecrets()).extracting(LocalObjectReference::getName).containsExactly("regcred");
        assertThat(operatorPod(objects).getImagePullSecrets()).extracting(LocalObjectReference::getName)
                .containsExactly("regcred");
    }

    @Test
    void schedulesTheOperatorPodsAsTheValuesSay() {
        PodSpec pod = operatorPod(render(Values.ALL_OPTIONS));

        assertThat(pod.getNodeSelector()).containsEntry("node-role.example.com/control", "true");
        assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("dedicated");
        assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
        assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
        assertThat(pod.getImagePullSecrets()).extracting(LocalObjectReference::getName).containsExactly("regcred");
        assertThat(pod.getTopologySpreadConstraints()).singleElement().satisfies(spread -> {
            assertThat(spread.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(spread.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
        });
        PodSpec defaults = operatorPod(render(Values.DEFAULTS));
        assertThat(defaults.getNodeSelector()).isNullOrEmpty();
        assertThat(defaults.getTolerations()).isNullOrEmpty();
        assertThat(defaults.getImagePullSecrets()).isNullOrEmpty();
    }

    @Test
    void spreadsTheOperatorPodsOverNodesUnlessToldOtherwise(@TempDir Path temp) throws IOException {
        PodSpec defaults = operatorPod(render(Values.DEFAULTS));
        // soft, so that a one-node cluster still runs both; selecting exactly this release's operator pods
        assertThat(defaults.getTopologySpreadConstraints()).singleElement().satisfies(spread -> {
            assertThat(spread.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(spread.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
            assertThat(spread.getMaxSkew()).isEqualTo(1);
            assertThat(spread.getLabelSelector().getMatchLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "ferry",
                    "app.kubernetes.io/instance", FerryChart.RELEASE, "app.kubernetes.io/component", "operator"));
        });
        Path noSpread = Files.writeString(temp.resolve("no-spread.yaml"), "topologySpreadConstraints: []\n");
        List<HasMetadata> none = FerryChart.objects(new com.marcnuri.helm.Helm(FerryChart.CHART).template()
                .withName(FerryChart.RELEASE).withNamespace(FerryChart.NAMESPACE).withValuesFile(noSpread).call());
        assertThat(operatorPod(none).getTopologySpreadConstraints()).isNullOrEmpty();
    }

    @Test
    void restartsTheOperatorWhenTheWorkerPodDefaultsChange() {
        String defaults = operatorAnnotation(render(Values.DEFAULTS), "checksum/worker-pod");
        String allOptions = operatorAnnotation(render(Values.ALL_OPTIONS), "checksum/worker-pod");

        assertThat(defaults).isNotBlank().isNotEqualTo(allOptions);
    }

    @Test
    void defaultImagesAreTheImagesTheBuildMakes() throws Exception {
        List<HasMetadata> objects = render(Values.DEFAULTS);
        String appVersion = (String) at(FerryChart.CHART.resolve("Chart.yaml"), "appVersion");

        assertThat(operatorPod(objects).getContainers().get(0).getImage())
                .isEqualTo(builtImage("operator")).endsWith(":" + appVersion);
        assertThat(operatorEnv(objects, "FERRY_WORKER_IMAGE"))
                .isEqualTo(builtImage("worker-image")).endsWith(":" + appVersion)
                .as("the operator's own default, without the chart").isEqualTo(OperatorSettings.DEFAULT_WORKER_IMAGE);
    }

    @Test
    void prefixesTheRegistryAndTakesTheTagsOfTheValues() {
        List<HasMetadata> objects = render(Values.ALL_OPTIONS);

        assertThat(operatorPod(objects).getContainers().get(0).getImage())
                .isEqualTo("registry.example.com/platform/ferry/operator:0.1.0-rc1");
        assertThat(operatorEnv(objects, "FERRY_WORKER_IMAGE"))
                .isEqualTo("registry.example.com/platform/ferry/worker:0.1.0-rc1");
        assertThat(operatorPod(objects).getContainers().get(0).getImagePullPolicy()).isEqualTo("Always");
    }

    @Test
    void allOptionsValuesSetEveryValueTheChartHas() {
        Set<String> defaults = valueNames(FerryChart.values(FerryChart.CHART.resolve("values.yaml")));
        Set<String> allOptions = valueNames(FerryChart.values(FerryChart.ALL_OPTIONS));

        // A default of null is set by the all-options file as a value (minAvailable) or left out on purpose.
        defaults.removeAll(Set.of("podDisruptionBudget.maxUnavailable"));
        assertThat(allOptions).containsAll(defaults);
    }

    @Test
    void readmeDocumentsEveryValueAndNoOther() throws IOException {
        String readme = Files.readString(FerryChart.CHART.resolve("README.md"));
        Matcher row = Pattern.compile("(?m)^\\| `([A-Za-z0-9_.]+)` \\|").matcher(readme);
        Set<String> documented = new TreeSet<>();
        while (row.find()) {
            documented.add(row.group(1));
        }

        assertThat(documented).isEqualTo(valueNames(FerryChart.values(FerryChart.CHART.resolve("values.yaml"))));
    }

    /** Dotted names of the leaves of a values tree: a map's keys are recursed into unless it is empty. */
    private static Set<String> valueNames(JsonNode values) {
        Set<String> names = new TreeSet<>();
        collect("", values, names);
        return names;
    }

    private static void collect(String prefix, JsonNode node, Set<String> names) {
        if (!node.isObject() || node.isEmpty() || isLeafMap(prefix)) {
            names.add(prefix);
            return;
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            collect(prefix.isEmpty() ? key : prefix + "." + key, node.get(key), names);
        }
    }

    /** Values that are Kubernetes objects (resources, probes, affinity...): documented as one value. */
    private static boolean isLeafMap(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        return Set.of("resources", "livenessProbe", "readinessProbe", "affinity", "nodeSelector", "podAnnotations",
                "podLabels", "labels", "annotations").contains(last);
    }

    /** {@code <ferry.image.repository>:<ferry.image.tag>} of the module's {@code images} profile. */
    private static String builtImage(String module) throws Exception {
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(FerryChart.REPO.resolve(module).resolve("pom.xml").toFile());
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if (profile.getElementsByTagName("id").item(0).getTextContent().equals("images")) {
                String repository = profile.getElementsByTagName("ferry.image.repository").item(0).getTextContent();
                String tag = profile.getElementsByTagName("ferry.image.tag").item(0).getTextContent();
                String jibImage = ((Element) profile.getElementsByTagName("to").item(0))
                        .getElementsByTagName("image").item(0).getTextContent();
                assertThat(jibImage).isEqualTo("${ferry.image.repository}:${ferry.image.tag}");
                return repository + ":" + tag;
            }
        }
        throw new AssertionError(module + "/pom.xml has no images profile");
    }

    private static ConfigMap workerPodDefaults(List<HasMetadata> objects) {
        return FerryChart.all(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-worker-pod")).findFirst().orElseThrow();
    }

    private static PodSpec operatorPod(List<HasMetadata> objects) {
        return only(objects, Deployment.class).getSpec().getTemplate().getSpec();
    }

    private static String operatorEnv(List<HasMetadata> objects, String name) {
        return operatorPod(objects).getContainers().get(0).getEnv().stream().filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue).findFirst().orElseThrow();
    }

    private static String operatorAnnotation(List<HasMetadata> objects, String name) {
        return only(objects, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations().get(name);
    }

    private static GenericKubernetesResource monitor(List<HasMetadata> objects, String kind) {
        return (GenericKubernetesResource) ofKind(objects, kind)
                .orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> stringMap(Object value) {
        return (Map<String, String>) value;
    }
}
