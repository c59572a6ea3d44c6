package dev.ferry.worker.plan;

import static dev.ferry.worker.testing.TestResources.POD_UID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationTask;
import dev.ferry.api.TaskType;
import dev.ferry.api.testing.StrictResourceVersions;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.S3ClientFactory;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.TestResources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * A plan killed at any point where it has done something its status does not record yet — a task
 * created, a multipart upload started, a hand-off written but its child not created — is handed out
 * again under a new epoch; planning then ends with every file in exactly one task, one upload per huge
 * file, and totals that add up.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(StrictResourceVersions.class)
class PlanCrashIT {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("plan-crash");

    @TempDir
    static Path source;

    @BeforeAll
    static void treeAndCredentials() {
        PlanTesting.mixedTree(source);
        TestResources.createCredentials(client);
    }

    @Test
    void aPlanKilledAtAnyPointResumesWithoutDuplicatesGapsOrSecondUploads() throws Exception {
        List<String> files = PlanTesting.regularFiles(source);
        List<String> crashPoints = new ArrayList<>();
        for (int k = 1; ; k++) {
            AtomicInteger reached = new AtomicInteger();
            String point = planWithACrashAt(k, reached);
            if (point == null) {
                assertThat(reached.get()).as("crash points of a whole run").isEqualTo(k - 1);
                break;
            }
            crashPoints.add(point);
        }
        assertThat(crashPoints).as("every kind of point was met")
                .anyMatch(p -> p.startsWith("created ") && p.endsWith("-00001"))
                .anyMatch(p -> p.startsWith("upload "))
                .anyMatch(p -> p.startsWith("handoff "))
                .anyMatch(p -> p.startsWith("created plan of "));
        assertThat(files).hasSize(223);
    }

    /** Plans a fresh job, crashing at the k-th point; returns that point, or null when the run met fewer. */
    private String planWithACrashAt(int k, AtomicInteger reached) throws Exception {
        String name = "crash-" + k;
        MigrationJob job = TestResources.create(client, PlanTesting.mixedTreeJob(name, S3.server().endpoint(), S3.bucket()));
        try (EndpointPool store = S3ClientFactory.forJob(client, job)) {
            PlanTesting plans = new PlanTesting(client, job, store);
            PlanRunner runner = plans.runner(source, ActiveTasks.NONE, PlanRunner.Settings.DEFAULT);
            List<String> point = new ArrayList<>();
            runner.hooks = p -> {
                if (reached.incrementAndGet() == k) {
                    point.add(p);
                    throw new SimulatedCrash(p);
                }
            };
            String root = plans.rootPlan();
            try {
                plans.runAllPlans(runner, POD_UID);
            } catch (SimulatedCrash crash) {
                // the operator notices the dead worker and hands the plan out again, under a new epoch
                runner.hooks = PlanHooks.NONE;
                plans.runAllPlans(runner, POD_UID);
            }
            String at = point.isEmpty() ? null : point.get(0);
            String why = "crash at point " + k + (at == null ? " (none)" : ": " + at);
            List<String> files = PlanTesting.regularFiles(source);
            assertThat(plans.coveredPaths()).as(why).containsExactlyElementsOf(files);
            assertThat(plans.allPlansSucceeded()).as(why).isTrue();
            assertThat(plans.plannedFiles()).as(why).isEqualTo(files.size());
            assertThat(plans.plannedBytes()).as(why).isEqualTo(PlanTesting.bytesOf(source));
            assertThat(plans.tasks(TaskType.Plan)).as(why).hasSize(3);
            List<MigrationTask> parts = plans.tasks(TaskType.Parts);
            assertThat(parts).as(why).hasSize(3);
            String key = name + "/huge.bin";
            List<String> uploads = S3.server().client().listMultipartUploads(b -> b.bucket(S3.bucket()).prefix(key))
                    .uploads().stream().filter(u -> u.key().equals(key)).map(MultipartUpload::uploadId).toList();
            assertThat(parts).as(why).extracting(t -> t.getSpec().parts.uploadId).containsOnly(uploads.toArray(String[]::new));
            assertThat(uploads).as(why).hasSize(1);
            Map<String, Long> byPlan = plans.tasks(TaskType.Copy).stream()
                    .collect(Collectors.groupingBy(t -> t.getMetadata().getName().replaceAll("-\\d{5}$", ""),
                            Collectors.counting()));
            assertThat(byPlan.get(root)).as(why).isEqualTo(6L);
            assertThat(TestResources.task(client, root).getStatus().progress.tasksCreated).as(why).isEqualTo(9);
            return at;
        }
    }
}
