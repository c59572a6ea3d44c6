package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.DestinationSpec;
import dev.ferry.api.JobPhase;
import dev.ferry.api.MigrationJob;
import dev.ferry.api.MigrationJobSpec;
import dev.ferry.api.MigrationJobStatus;
import dev.ferry.api.SourceSpec;
import dev.ferry.local.apiserver.LocalApis;
import dev.ferry.local.apiserver.LocalKubernetesApi;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `ferry status` and `kubectl ferry status` read jobs from whatever cluster the kubeconfig names. */
class StatusCommandIT {
    @TempDir
    static Path temp;
    static LocalKubernetesApi api;
    static KubernetesClient client;
    static Path kubeconfig;

    @BeforeAll
    static void startAnApiWithTwoJobs() {
        api = LocalApis.withFerryCrds();
        client = api.client();
        kubeconfig = api.writeKubeconfig(temp.resolve("kubeconfig"));
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("team-b").endMetadata().build()).create();
        create("default", "archive", JobPhase.Running, 250);
        create("team-b", "photos", JobPhase.Succeeded, 0);
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                .withNewMetadata().withName("archive-worker").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("ferry.dev/job", "archive").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("ferry.dev/job", "archive").endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("ferry/worker").endContainer().endSpec()
                .endTemplate().endSpec()
                .withNewStatus().withReadyReplicas(2).endStatus().build()).create();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void showsOneJobInDetailWithItsWorkers() {
        Run run = status("archive", "--kubeconfig", kubeconfig.toString());

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("Job:        default/archive").contains("Phase:      Running (25%)")
                .contains("Files:      250 of 1000 done: 250 copied, 0 skipped, 0 failed")
                .contains("Workers:    2/2 ready (deployment archive-worker)");
    }

    @Test
    void listsTheJobsOfTheNamespaceOrOfAll() {
        Run inDefault = status("--kubeconfig", kubeconfig.toString());
        Run everywhere = status("-A", "--kubeconfig", kubeconfig.toString());

        assertThat(inDefault.out()).contains("archive").doesNotContain("photos");
        assertThat(everywhere.out().lines().toList()).anySatisfy(l -> assertThat(l).startsWith("NAMESPACE"))
                .anySatisfy(l -> assertThat(l.split("\\s+")).startsWith("team-b", "photos", "Succeeded", "100%"));
    }

    @Test
    void saysWhichJobItDidNotFind() {
        Run run = status("nope", "-n", "team-b", "--kubeconfig", kubeconfig.toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("no MigrationJob nope in namespace team-b");
    }

    @Test
    void runsAsAKubectlPlugin() throws Exception {
        Path ferryJar = Path.of("target/ferry.jar");
        assertThat(ferryJar).as("the CLI jar is built at package, before the integration tests").exists();
        ProcessBuilder kubectl = new ProcessBuilder("kubectl", "ferry", "status", "archive")
                .redirectErrorStream(true);
        kubectl.environment().put("PATH", Path.of("").toAbsolutePath() + ":" + System.getenv("PATH"));
        kubectl.environment().put("KUBECONFIG", kubeconfig.toString());
        Process process = kubectl.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("Job:        default/archive").contains("Workers:    2/2 ready");
    }

    private static void create(String namespace, String name, JobPhase phase, long copied) {
        MigrationJob job = new MigrationJob();
        job.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        job.setSpec(new MigrationJobSpec());
        job.getSpec().source = new SourceSpec();
        job.getSpec().source.pvc = "data";
        job.getSpec().destination = new DestinationSpec();
        job.getSpec().destination.bucket = "bkt";
        job.getSpec().destination.credentialsSecret = "s3";
        client.resources(MigrationJob.class).inNamespace(namespace).resource(job).create();
        MigrationJobStatus status = new MigrationJobStatus();
        status.phase = phase;
        status.planned = true;
        status.files.total = 1_000;
        status.files.copied = phase == JobPhase.Succeeded ? 1_000 : copied;
        status.progress = phase == JobPhase.Succeeded ? "100%" : copied * 100 / 1_000 + "%";
        job = client.resources(MigrationJob.class).inNamespace(namespace).withName(name).get();
        job.setStatus(status);
        client.resources(MigrationJob.class).inNamespace(namespace).resource(job).updateStatus();
    }

    private static Run status(String... args) {
        StatusCommand command = new StatusCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new CommandLine(command).execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Run(int code, String out, String err) {
    }
}
