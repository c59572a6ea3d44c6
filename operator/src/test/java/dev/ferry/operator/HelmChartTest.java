package dev.ferry.operator;

import dev.ferry.api.testing.ChartRoles;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Helm chart's templates agree with what the operator reads. Read as text: the build machines
 * have no helm to render them, so the test pins the few template lines the operator depends on.
 */
class HelmChartTest {
    private static final Path CHART = Path.of("..", "charts", "ferry");
    private static final String WORKER_SERVICE_ACCOUNT = "{{ include \"ferry.workerServiceAccount\" ";

    @Test
    void setsOnlyVariablesTheOperatorReads() throws IOException {
        Matcher env = Pattern.compile("- name: (FERRY_\\w+)").matcher(template("deployment.yaml"));
        Set<String> names = env.results().map(m -> m.group(1)).collect(Collectors.toSet());

        assertThat(names).isNotEmpty().isSubsetOf(OperatorMain.VARIABLES)
                .contains(OperatorMain.WORKER_IMAGE, OperatorMain.WATCH_NAMESPACES, OperatorMain.LEADER_ELECTION,
                        OperatorMain.WORKER_SERVICE_ACCOUNT);
    }

    @Test
    void grantsSecretsAndClaimsOnlyAsGetByNameToTheOperatorAndNotAtAllToWorkers() {
        assertThat(ChartRoles.of("operator").rules()).filteredOn(r -> r.resources().contains("secrets"))
                .isNotEmpty().allSatisfy(r -> assertThat(r.verbs()).containsExactly("get"));
        assertThat(ChartRoles.of("operator").rules()).filteredOn(r -> r.resources().contains("persistentvolumeclaims"))
                .isNotEmpty().allSatisfy(r -> assertThat(r.verbs()).containsExactly("get"));
        assertThat(ChartRoles.of("worker").rules()).isNotEmpty()
                .noneSatisfy(r -> assertThat(r.resources()).containsAnyOf("secrets", "pods", "*"));
    }

    @Test
    void runsTheOperatorWithLeastPrivilege() throws IOException {
        String deployment = template("deployment.yaml");

        assertThat(deployment).contains("      securityContext:\n        runAsNonRoot: true\n")
                .contains("        seccompProfile:\n          type: RuntimeDefault\n")
                .contains("          securityContext:\n            allowPrivilegeEscalation: false\n"
                        + "            readOnlyRootFilesystem: true\n            privileged: false\n"
                        + "            capabilities:\n              drop: [\"ALL\"]\n")
                .contains("            - name: tmp\n              mountPath: /tmp\n")
                .contains("      volumes:\n        - name: tmp\n          emptyDir: {}\n");
    }

    @Test
    void turnsOnLeaderElectionWhenMoreThanOneReplicaRuns() throws IOException {
        String deployment = template("deployment.yaml");
        Matcher guarded = Pattern.compile(
                "\\{\\{- if gt \\(int \\.Values\\.replicas\\) 1 }}(.*?)\\{\\{- end }}", Pattern.DOTALL).matcher(deployment);

        assertThat(guarded.find()).as("an if block on replicas > 1").isTrue();
        assertThat(guarded.group(1)).containsPattern("- name: FERRY_LEADER_ELECTION\\s+value: \"true\"");
        assertThat(deployment.replace(guarded.group(0), "")).as("nowhere else").doesNotContain("FERRY_LEADER_ELECTION");
        @SuppressWarnings("unchecked")
        Map<String, Object> values = Serialization.unmarshal(Files.readString(CHART.resolve("values.yaml")), Map.class);
        assertThat((Integer) values.get("replicas")).as("the chart's default runs a standby").isGreaterThan(1);
    }

    @Test
    void passesTheWorkerServiceAccountItCreatesToTheOperator() throws IOException {
        assertThat(template("deployment.yaml")).contains("- name: FERRY_WORKER_SERVICE_ACCOUNT\n"
                + "              value: " + WORKER_SERVICE_ACCOUNT + ". | quote }}");
        String accounts = template("serviceaccount.yaml");
        assertThat(accounts)
                .contains("kind: ServiceAccount\nmetadata:\n  name: " + WORKER_SERVICE_ACCOUNT + "$ }}")
                .contains("kind: RoleBinding")
                .contains("  kind: ClusterRole\n  name: {{ $.Release.Name }}-worker")
                .contains("  - kind: ServiceAccount\n    name: " + WORKER_SERVICE_ACCOUNT + "$ }}");
        assertThat(template("_helpers.tpl")).contains("{{- define \"ferry.workerServiceAccount\" -}}");
        assertThat(template("rbac.yaml")).contains("  name: {{ .Release.Name }}-worker\nrules:");
    }

    private static String template(String name) throws IOException {
        return Files.readString(CHART.resolve("templates").resolve(name));
    }
}
