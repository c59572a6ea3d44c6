package dev.ferry.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.operator.config.OperatorSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorMainTest {

    @Test
    void readsSettingsFromTheEnvironmentAsTheChartSetsThem() {
        OperatorSettings settings = OperatorMain.settings(Map.of(
                "FERRY_WATCH_NAMESPACES", "team-a, team-b",
                "FERRY_WORKER_IMAGE", "registry/ferry-worker:1.2",
                "FERRY_LEADER_ELECTION", "true",
                "FERRY_WORKER_SERVICE_ACCOUNT", "ferry-worker",
                "POD_NAMESPACE", "ferry-system"), new String[0]);

        assertThat(settings.namespaces()).containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(settings.workerImage()).isEqualTo("registry/ferry-worker:1.2");
        assertThat(settings.leaderElection()).isTrue();
        assertThat(settings.leaseNamespace()).isEqualTo("ferry-system");
        assertThat(settings.workerServiceAccount()).isEqualTo("ferry-worker");
    }

    @Test
    void watchesAllNamespacesWithoutLeaderElectionByDefault() {
        OperatorSettings settings = OperatorMain.settings(Map.of("FERRY_WATCH_NAMESPACES", ""), new String[0]);

        assertThat(settings.watchesAllNamespaces()).isTrue();
        assertThat(settings.leaderElection()).isFalse();
        assertThat(settings.workerImage()).isEqualTo(OperatorSettings.DEFAULT_WORKER_IMAGE);
        assertThat(settings.leaseStartupGrace()).as("the workers' default Lease duration").isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void readsTheWorkerLeaseStartUpGrace() {
        OperatorSettings settings = OperatorMain.settings(Map.of(), new String[] {"--lease-startup-grace-seconds=40"});

        assertThat(settings.leaseStartupGrace()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void readsTheTimingsOfTakebacksProbesAndStragglers() {
        OperatorSettings defaults = OperatorMain.settings(Map.of(), new String[0]);
        assertThat(defaults.disruptionGrace()).isEqualTo(Duration.ofMinutes(2));
        assertThat(defaults.destinationProbeInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.stragglerWait()).isEqualTo(Duration.ofSeconds(10));

        OperatorSettings settings = OperatorMain.settings(Map.of("FERRY_DISRUPTION_GRACE_SECONDS", "300",
                "FERRY_DESTINATION_PROBE_SECONDS", "30"), new String[] {"--straggler-wait-seconds=20"});
        assertThat(settings.disruptionGrace()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.destinationProbeInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.stragglerWait()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void argumentsOverrideTheEnvironment() {
        OperatorSettings settings = OperatorMain.settings(Map.of("FERRY_RECHECK_SECONDS", "30"),
                new String[] {"--recheck-seconds=5", "--prefetch-per-worker=4"});

        assertThat(settings.recheckInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.prefetchPerWorker()).isEqualTo(4);
    }
}
