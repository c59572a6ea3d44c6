package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.Ferry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessLauncherTest {

    @Test
    void workersKeepC2ForTheHashIntrinsicsAndOperatorsRunC1Only() {
        assertThat(ProcessLauncher.jvmOptionsFor(Ferry.COMPONENT_WORKER, Map.of()))
                .contains("-Xmx1g").doesNotContain("-XX:TieredStopAtLevel=1");
        assertThat(ProcessLauncher.jvmOptionsFor(Ferry.COMPONENT_OPERATOR, Map.of()))
                .contains("-XX:TieredStopAtLevel=1");
    }

    @Test
    void appendsTheComponentsOwnExtraOptionsAfterTheDefaults() {
        Map<String, String> env = Map.of(
                "FERRY_WORKER_JAVA_OPTS", "  -Xmx2g   -XX:StartFlightRecording=filename=/tmp/w.jfr ",
                "FERRY_OPERATOR_JAVA_OPTS", "-Xmx300m");

        assertThat(ProcessLauncher.jvmOptionsFor(Ferry.COMPONENT_WORKER, env))
                .endsWith("-Xmx2g", "-XX:StartFlightRecording=filename=/tmp/w.jfr")
                .doesNotContain("-Xmx300m", "");
        assertThat(ProcessLauncher.jvmOptionsFor(Ferry.COMPONENT_OPERATOR, env))
                .endsWith("-Xmx300m")
                .doesNotContain("-Xmx2g");
    }

    @Test
    void blankExtraOptionsAddNothing() {
        assertThat(ProcessLauncher.jvmOptionsFor(Ferry.COMPONENT_WORKER, Map.of("FERRY_WORKER_JAVA_OPTS", "  ")))
                .isEqualTo(ProcessLauncher.jvmOptionsFor(Ferry.COMPONENT_WORKER, Map.of()));
    }

    @Test
    void localWorkersLimitC2ToTheDigestsUnlessThePodOrTheCallerNamesAScope() {
        Map<String, String> pod = Map.of("FERRY_JOB", "j");

        assertThat(ProcessLauncher.environmentFor(Ferry.COMPONENT_WORKER, pod, Map.of(), "UTF-8"))
                .containsEntry("FERRY_JOB", "j").containsEntry("FERRY_WORKER_C2", "digests");
        assertThat(ProcessLauncher.environmentFor(Ferry.COMPONENT_WORKER, pod, Map.of("FERRY_WORKER_C2", "all"), "UTF-8"))
                .as("the caller's own, inherited by the process").isEqualTo(pod);
        assertThat(ProcessLauncher.environmentFor(Ferry.COMPONENT_WORKER, Map.of("FERRY_WORKER_C2", "all"), Map.of(),
                "UTF-8")).containsEntry("FERRY_WORKER_C2", "all");
        assertThat(ProcessLauncher.environmentFor(Ferry.COMPONENT_OPERATOR, pod, Map.of(), "UTF-8")).isEqualTo(pod);
    }

    @Test
    void aCallerThatDoesNotDecodeFileNamesAsUtf8StartsItsProcessesInAUtf8Locale() {
        Map<String, String> pod = Map.of("FERRY_JOB", "j");

        assertThat(ProcessLauncher.environmentFor(Ferry.COMPONENT_WORKER, pod, Map.of(), "ANSI_X3.4-1968"))
                .as("LANG unset, or the POSIX locale").containsEntry("LC_ALL", "C.UTF-8");
        assertThat(ProcessLauncher.environmentFor(Ferry.COMPONENT_OPERATOR, pod, Map.of(), "ISO-8859-1"))
                .containsEntry("LC_ALL", "C.UTF-8");
        assertThat(ProcessLauncher.environmentFor(Ferry.COMPONENT_WORKER, pod, Map.of(), "UTF-8"))
                .as("a UTF-8 caller's locale is inherited as it is").doesNotContainKey("LC_ALL");
        assertThat(ProcessLauncher.environmentFor(Ferry.COMPONENT_WORKER, Map.of("LC_ALL", "de_DE.UTF-8"), Map.of(),
                "ANSI_X3.4-1968")).as("the pod's own choice").containsEntry("LC_ALL", "de_DE.UTF-8");
    }
}
