package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.MigrationJob;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Credentials never show: a job that migrates with distinctive credentials, and one whose secret key the
 * store refuses, run on {@code ferry dev-cluster}; then every log file the cluster, its operator and its
 * workers wrote, every job, task, event, pod, ReplicaSet and Deployment object is searched for the
 * secret keys (as written and base64-encoded). Only the Secrets themselves may hold them.
 */
class SecretsStayOutOfSightIT {
    private static final String ACCESS_KEY = "FERRYCANARYACCESSKEY7";
    private static final String SECRET_KEY = "canarySecret+Vx9/Qm2ZpLw7Rt4NbYc8Jh1Ks5Dg3Fa6";
    private static final String WRONG_SECRET_KEY = "wrongCanary+Hk3/Tz8YpRq1Mn5Wx7Lb2Vc9Gd4Sf6Ja0";

    @RegisterExtension
    static final LocalS3PerClass S3 = new LocalS3PerClass(ACCESS_KEY, SECRET_KEY);

    @TempDir
    Path temp;

    @Test
    void noLogStatusEventOrWorkloadObjectHoldsASecretKey() throws Exception {
        try (S3Client s3 = ObjectListing.client(S3.s3(), S3.credentials())) {
            s3.createBucket(b -> b.bucket("canary"));
        }
        Path workDir = temp.resolve(".ferry");
        Path samples = FerryProcess.REPO.resolve("samples/data");
        try (DevCluster cluster = DevCluster.start(workDir, "--volume", "data=" + samples);
             KubernetesClient client = cluster.client()) {
            secret(client, "canary-credentials", SECRET_KEY);
            secret(client, "wrong-credentials", WRONG_SECRET_KEY);
            Path jobs = temp.resolve("jobs.yaml");
            Files.writeString(jobs, job("canary", "canary-credentials") + "---\n" + job("refused", "wrong-credentials"));
            Kubectl.run(cluster.kubeconfig(), "apply", "-f", jobs.toString());

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> phase(client, "canary"), phase -> "Succeeded".equals(phase));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> String.valueOf(job(client, "refused").getStatus().conditions),
                            conditions -> conditions.contains("DestinationUnavailable"));

            List<String> leaks = new ArrayList<>();
            String objects = Kubectl.run(cluster.kubeconfig(), "get",
                    "migrationjobs,migrationtasks,events,pods,deployments,replicasets", "-A", "-o", "yaml");
            assertThat(objects).contains("canary-credentials").contains("DestinationUnavailable");
            leaks.addAll(found("the API's objects", objects));
            List<Path> logs;
            try (Stream<Path> files = Files.walk(workDir)) {
                logs = files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".log")).toList();
            }
            assertThat(logs).as("the cluster's, operator's and workers' logs").hasSizeGreaterThan(2);
            for (Path log : logs) {
                leaks.addAll(found(workDir.relativize(log).toString(), Files.readString(log, StandardCharsets.ISO_8859_1)));
            }
            assertThat(leaks).isEmpty();
        }
    }

    private static List<String> found(String where, String text) {
        List<String> leaks = new ArrayList<>();
        for (String secret : List.of(SECRET_KEY, WRONG_SECRET_KEY)) {
            for (String form : List.of(secret, Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)))) {
                if (text.contains(form)) {
                    leaks.add(where + " holds " + form);
                }
            }
        }
        return leaks;
    }

    private static void secret(KubernetesClient client, String name, String secretKey) {
        client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName(name)
                .endMetadata().addToStringData("AWS_ACCESS_KEY_ID", ACCESS_KEY)
                .addToStringData("AWS_SECRET_ACCESS_KEY", secretKey).build()).create();
    }

    private static MigrationJob job(KubernetesClient client, String name) {
        return client.resources(MigrationJob.class).inNamespace("default").withName(name).get();
    }

    private static String phase(KubernetesClient client, String name) {
        MigrationJob job = job(client, name);
        return job == null || job.getStatus() == null ? null : String.valueOf(job.getStatus().phase);
    }

    private static String job(String name, String secret) {
        return """
                apiVersion: ferry.dev/v1alpha1
                kind: MigrationJob
                metadata:
                  name: %s
                spec:
                  source:
                    pvc: data
                  destination:
                    bucket: canary
                    prefix: %s
                    endpoints: ["%s"]
                    pathStyle: true
                    credentialsSecret: %s
                  workers:
                    replicas: 1
                """.formatted(name, name, S3.s3().endpoint(), secret);
    }
}
