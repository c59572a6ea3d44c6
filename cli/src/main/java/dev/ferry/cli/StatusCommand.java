package dev.ferry.cli;

import dev.ferry.api.MigrationJob;
import dev.ferry.api.runtime.FerryKinds;
import dev.ferry.operator.workers.WorkerDeploymentFactory;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferry status [JOB]} against any cluster the kubeconfig names (a real one, or the local mode's:
 * {@code ferry migrate} prints its KUBECONFIG): every job of a namespace as a table, or one job in
 * detail. Also run as {@code kubectl ferry status} through the {@code kubectl-ferry} plugin script.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the progress of MigrationJobs: all of a namespace, or one in detail.")
public final class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB", description = "A job's name; all jobs when left out.")
    String jobName;

    @Option(names = {"-n", "--namespace"}, description = "Namespace (default: the kubeconfig context's, else default).")
    String namespace;

    @Option(names = {"-A", "--all-namespaces"}, description = "Jobs of every namespace.")
    boolean allNamespaces;

    @Option(names = "--kubeconfig", description = "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    PrintStream out = System.out;
    PrintStream err = System.err;
    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
        if (kubeconfig != null) {
            System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toAbsolutePath().toString());
        }
        try (KubernetesClient client = FerryKinds.registeredWith(
                new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build())) {
            String ns = namespace != null ? namespace : client.getNamespace() != null ? client.getNamespace() : "default";
            return jobName != null ? showOne(client, ns) : showAll(client, ns);
        } catch (KubernetesClientException e) {
            err.println("ferry status: cannot read jobs from " + describe(e));
            return 2;
        }
    }

    private int showOne(KubernetesClient client, String ns) {
        MigrationJob job = client.resources(MigrationJob.class).inNamespace(ns).withName(jobName).get();
        if (job == null) {
            err.printf("ferry status: no MigrationJob %s in namespace %s%n", jobName, ns);
            return 1;
        }
        new JobReport(job, workers(client, job), clock.instant()).print(out);
        return 0;
    }

    private int showAll(KubernetesClient client, String ns) {
        List<MigrationJob> jobs = (allNamespaces ? client.resources(MigrationJob.class).inAnyNamespace()
                : client.resources(MigrationJob.class).inNamespace(ns)).list().getItems();
        if (jobs.isEmpty()) {
            err.println(allNamespaces ? "No MigrationJobs found." : "No MigrationJobs found in namespace " + ns + ".");
            return 0;
        }
        JobReport.printTableHeader(out, allNamespaces);
        jobs.stream()
                .sorted(Comparator.comparing((MigrationJob j) -> j.getMetadata().getNamespace())
                        .thenComparing(j -> j.getMetadata().getName()))
                .forEach(job -> new JobReport(job, JobReport.Workers.NONE, clock.instant()).printRow(out, allNamespaces));
        return 0;
    }

    /** The worker Deployment the operator keeps for the job. */
    private static JobReport.Workers workers(KubernetesClient client, MigrationJob job) {
        String name = WorkerDeploymentFactory.name(job);
        Deployment deployment = client.apps().deployments().inNamespace(job.getMetadata().getNamespace())
                .withName(name).get();
        if (deployment == null) {
            return JobReport.Workers.NONE;
        }
        return new JobReport.Workers(name, deployment.getSpec().getReplicas(),
                deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas());
    }

    private static String describe(KubernetesClientException e) {
        return e.getCode() > 0 ? "the API (HTTP " + e.getCode() + "): " + e.getMessage()
                : "the API: " + (e.getCause() != null ? e.getCause().toString() : e.getMessage());
    }
}
