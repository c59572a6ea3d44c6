package dev.ferry.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {
    private final Map<String, String> env = new HashMap<>(Map.of(
            "POD_NAME", "job-worker-1", "POD_NAMESPACE", "ns", "POD_UID", "uid-1",
            "FERRY_JOB", "job", "FERRY_SOURCE_ROOT", "/mnt/source"));

    @Test
    void readsThePodsEnvironment() {
        WorkerConfig config = WorkerConfig.fromEnv(env);

        assertThat(config.podUid()).isEqualTo("uid-1");
        assertThat(config.sourceRoot()).isEqualTo(Path.of("/mnt/source"));
        assertThat(config.taskSlots()).isEqualTo(WorkerConfig.DEFAULT_TASK_SLOTS);
        assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.leaseRenewInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void readsTheLeaseTimings() {
        env.put("FERRY_LEASE_DURATION_SECONDS", "30");
        env.put("FERRY_LEASE_RENEW_SECONDS", "10");

        WorkerConfig config = WorkerConfig.fromEnv(env);

        assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.leaseRenewInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void refusesARenewIntervalThatIsNotShorterThanTheLease() {
        env.put("FERRY_LEASE_DURATION_SECONDS", "5");
        env.put("FERRY_LEASE_RENEW_SECONDS", "5");

        assertThatThrownBy(() -> WorkerConfig.fromEnv(env)).hasMessageContaining("FERRY_LEASE_RENEW_SECONDS");
    }

    @Test
    void namesTheMissingVariable() {
        env.remove("POD_UID");

        assertThatThrownBy(() -> WorkerConfig.fromEnv(env)).hasMessageContaining("POD_UID");
    }
}
