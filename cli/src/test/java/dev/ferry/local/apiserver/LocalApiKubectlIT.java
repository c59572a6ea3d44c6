package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.CrdResources;
import dev.ferry.api.Ferry;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl drives the local API as it would a cluster. */
class LocalApiKubectlIT {
    private static final String KUBECTL = "/usr/bin/kubectl";
    private static final ResourceDefinitionContext JOBS = context("migrationjobs", "MigrationJob");
    private static final ResourceDefinitionContext TASKS = context("migrationtasks", "MigrationTask");

    @TempDir
    static Path temp;
    static LocalKubernetesApi api;
    static KubernetesClient client;
    static Path kubeconfig;

    @BeforeAll
    static void startAndInstallCrdsWithKubectl() throws Exception {
        api = LocalKubernetesApi.start(0);
        client = api.client();
        kubeconfig = api.writeKubeconfig(temp.resolve("kube/config"));
        for (String crd : CrdResources.FILES) {
            Path file = temp.resolve(crd);
            Files.writeString(file, CrdResources.read(crd));
            Result applied = kubectl("apply", "-f", file.toString());
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
        }
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void appliesAJobWithClientSideValidationOnAndReappliesAChange() throws Exception {
        Result created = kubectl("apply", "-f", yaml("applied", "bucket-a").toString());
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.stdout()).contains("migrationjob.ferry.dev/applied created");

        Result changed = kubectl("apply", "-f", yaml("applied", "bucket-a", "suspend: true").toString());

        assertThat(changed.exitCode()).as(changed.toString()).isZero();
        assertThat(changed.stdout()).contains("migrationjob.ferry.dev/applied configured");
        assertThat(job("applied").getAdditionalProperties().toString()).contains("suspend=true");
    }

    @Test
    void refusesToApplyAChangedDestinationWithTheCrdsRule() throws Exception {
        Result created = kubectl("apply", "-f", yaml("moved", "bucket-a").toString());
        assertThat(created.exitCode()).as(created.toString()).isZero();

        Result changed = kubectl("apply", "-f", yaml("moved", "bucket-b").toString());

        assertThat(changed.exitCode()).as(changed.toString()).isNotZero();
        assertThat(changed.stderr()).contains("The MigrationJob \"moved\" is invalid")
                .contains("destination is immutable: create a new job to migrate elsewhere");
        assertThat(job("moved").getAdditionalProperties().toString()).contains("bucket-a");
    }

    @Test
    void refusesToApplyAJobThatBreaksTheSchemaNamingTheField() throws Exception {
        Result applied = kubectl("apply", "-f", yaml("malformed", "bucket", "mode: Teleport").toString());

        assertThat(applied.exitCode()).as(applied.toString()).isNotZero();
        assertThat(applied.stderr()).contains("spec.mode: Unsupported value: \"Teleport\"");
        assertThat(job("malformed")).isNull();
    }

    @Test
    void refusesAnUnknownFieldAsKubectlAsksByDefault() throws Exception {
        Result applied = kubectl("apply", "-f", yaml("typo", "bucket", "verfy: Size").toString());

        assertThat(applied.exitCode()).as(applied.toString()).isNotZero();
        assertThat(applied.stderr()).contains("unknown field \"spec.verfy\"");
        assertThat(job("typo")).isNull();
    }

    @Test
    void printsTheJobsPrinterColumns() throws Exception {
        createJob("printed");
        setJobStatus("printed", "Running", "False");

        Result got = kubectl("get", "mj");

        assertThat(got.exitCode()).as(got.toString()).isZero();
        String header = got.stdout().lines().findFirst().orElse("");
        assertThat(header.split("\\s+")).containsExactly("NAME", "READY", "PHASE", "PROGRESS", "FILES", "BYTES", "AGE");
        assertThat(got.stdout()).containsPattern("printed\\s+.*False\\s+.*Running");
    }

    @Test
    void createsSecretsAndConfigMapsThatKubectlSendsAsProtobuf() throws Exception {
        Path settings = temp.resolve("settings.yaml");
        Files.writeString(settings, "parallelism: 8\n");

        Result secret = kubectl("create", "secret", "generic", "s3-credentials",
                "--from-literal=AWS_ACCESS_KEY_ID=key-1", "--from-literal=AWS_SECRET_ACCESS_KEY=secret-1");
        Result configMap = kubectl("create", "configmap", "ferry-settings", "--from-file=" + settings,
                "--from-literal=blank=");

        assertThat(secret.exitCode()).as(secret.toString()).isZero();
        assertThat(secret.stdout()).contains("secret/s3-credentials created");
        assertThat(configMap.exitCode()).as(configMap.toString()).isZero();
        assertThat(client.secrets().inNamespace("default").withName("s3-credentials").get().getData())
                .containsEntry("AWS_ACCESS_KEY_ID", java.util.Base64.getEncoder().encodeToString("key-1".getBytes()));
        assertThat(client.configMaps().inNamespace("default").withName("ferry-settings").get().getData())
                .containsEntry("settings.yaml", "parallelism: 8\n").containsEntry("blank", "");
    }

    @Test
    void answersCanIThatKubectlAsksInProtobuf() {
        Result canI = kubectl("auth", "can-i", "create", "migrationjobs.ferry.dev");

        assertThat(canI.exitCode()).as(canI.toString()).isZero();
        assertThat(canI.stdout().trim()).isEqualTo("yes");
    }

    @Test
    void printsPodsWithTheColumnsOfACluster() {
        client.pods().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("printed-worker-abcde").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("ferry/worker").endContainer()
                .withNodeName("local").endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1")
                .addNewContainerStatus().withName("worker").withReady(true).withRestartCount(1)
                .withNewState().withNewRunning().endRunning().endState().endContainerStatus().endStatus()
                .build()).create();

        Result pods = kubectl("get", "pods");
        Result wide = kubectl("get", "pods", "-o", "wide");

        assertThat(pods.exitCode()).as(pods.toString()).isZero();
        assertThat(pods.stdout().lines().findFirst().orElse("").split("\\s+"))
                .containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
        assertThat(pods.stdout()).containsPattern("printed-worker-abcde\\s+1/1\\s+Running\\s+1\\s");
        assertThat(wide.stdout()).containsPattern("IP\\s+NODE").containsPattern("127.0.0.1\\s+local");
    }

    @Test
    void printsEventsWithTheColumnsOfACluster() throws Exception {
        createJob("eventful");
        createEvent("eventful", "TasksTakenBack");

        Result events = kubectl("get", "events");

        assertThat(events.exitCode()).as(events.toString()).isZero();
        assertThat(events.stdout().lines().findFirst().orElse("").split("\\s{2,}"))
                .containsExactly("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
        assertThat(events.stdout()).containsPattern("Normal\\s+TasksTakenBack\\s+migrationjob/eventful\\s+"
                + "TasksTakenBack happened");
    }

    @Test
    void resolvesFullNamesShortNamesAndTheCategory() throws Exception {
        createJob("named");
        createTask("named-plan", "named");

        Result byFullName = kubectl("get", "migrationjobs.ferry.dev", "named", "-o", "name");
        Result byShortName = kubectl("get", "mt");
        Result byCategory = kubectl("get", "ferry");

        assertThat(byFullName.stdout()).as(byFullName.toString()).contains("migrationjob.ferry.dev/named");
        assertThat(byShortName.stdout()).as(byShortName.toString()).contains("named-plan").contains("JOB");
        assertThat(byCategory.stdout()).as(byCategory.toString())
                .contains("migrationjob.ferry.dev/named").contains("migrationtask.ferry.dev/named-plan");
    }

    @Test
    void watchesTasksCreatedAfterTheWatchStarted() throws Exception {
        createJob("watched");
        createTask("watched-plan", "watched");
        Process watch = start("get", "mt", "-w", "-l", "ferry.dev/job=watched");
        try {
            StringBuffer out = collect(watch.getInputStream());
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(out).contains("watched-plan"));

            createTask("watched-plan-00001", "watched");
            createTask("other-plan", "other");

            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(out).contains("watched-plan-00001"));
            assertThat(out.toString()).doesNotContain("other-plan");
            assertThat(out.toString().split("watched-plan\\s", -1)).as("listed once, not replayed by the watch")
                    .hasSize(2);
        } finally {
            watch.destroy();
        }
    }

    @Test
    void waitReturnsOnceTheJobIsReady() throws Exception {
        createJob("waited");
        Process wait = start("wait", "--for=condition=Ready", "mj/waited", "--timeout=30s");
        StringBuffer out = collect(wait.getInputStream());
        StringBuffer err = collect(wait.getErrorStream());
        assertThat(wait.waitFor(2, TimeUnit.SECONDS)).as("still waiting while not Ready").isFalse();

        setJobStatus("waited", "Running", "True");

        assertThat(wait.waitFor(20, TimeUnit.SECONDS)).as("kubectl wait returned").isTrue();
        assertThat(wait.exitValue()).as(err.toString()).isZero();
        assertThat(out).contains("migrationjob.ferry.dev/waited condition met");
    }

    @Test
    void describesAJobWithItsOwnEventsAndDeletesIt() throws Exception {
        createJob("described");
        createEvent("described", "PlanningStarted");
        createEvent("someone-else", "NotMine");

        Result described = kubectl("describe", "mj", "described");
        assertThat(described.exitCode()).as(described.toString()).isZero();
        assertThat(described.stdout()).contains("Name:", "described", "Kind:", "MigrationJob", "PlanningStarted")
                .doesNotContain("NotMine");

        Result deleted = kubectl("delete", "mj", "described");
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(client.genericKubernetesResources(JOBS).inNamespace("default").withName("described").get()).isNull();
    }

    @Test
    void storesAStatusUpdateSentWithAQueryString() throws Exception {
        createJob("updated");
        GenericKubernetesResource job = job("updated");
        job.setAdditionalProperty("status", Map.of("phase", "Planning"));
        String path = "/apis/ferry.dev/v1alpha1/namespaces/default/migrationjobs/updated/status?fieldManager=x";

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.url() + path))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Serialization.asJson(job))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(job("updated").getAdditionalProperties().get("status")).isEqualTo(Map.of("phase", "Planning"));
        assertThat(kubectl("get", "mj", "updated").stdout()).contains("Planning");
    }

    @Test
    void refusesAMethodItCannotRouteNamingTheOnesItAnswers() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(api.url() + "/apis/ferry.dev/v1alpha1/namespaces/default/migrationjobs"))
                .method("TRACE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValueSatisfying(allow -> assertThat(allow).contains("PATCH"));
        assertThat(response.body()).contains("MethodNotAllowed", "TRACE");
    }

    @Test
    void aFabric8ClientFromTheKubeconfigFallsBackToHttpWatches() throws Exception {
        System.setProperty("kubeconfig", kubeconfig.toString());
        List<String> seen = new CopyOnWriteArrayList<>();
        try (KubernetesClient fromKubeconfig = new KubernetesClientBuilder().build();
                Watch watch = fromKubeconfig.genericKubernetesResources(TASKS).inNamespace("default")
                        .watch(new Watcher<>() {
                            @Override
                            public void eventReceived(Action action, GenericKubernetesResource task) {
                                seen.add(action + " " + task.getMetadata().getName());
                            }

                            @Override
                            public void onClose(WatcherException cause) {
                            }
                        })) {
            createTask("fallback-plan", "fallback");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(seen).contains("ADDED fallback-plan"));
        } finally {
            System.clearProperty("kubeconfig");
        }
    }

    @Test
    void looksLikeACluster() {
        assertThat(kubectl("version").stdout()).contains("Server Version: v1.32.0-ferry-local");
        assertThat(kubectl("get", "namespaces", "-o", "name").stdout()).contains("namespace/default");
    }

    @Test
    void allowsEverythingInAccessReviews() throws Exception {
        Result canI = kubectl("auth", "can-i", "create", "leases.coordination.k8s.io");

        assertThat(canI.stdout().trim()).as(canI.toString()).isEqualTo("yes");
    }

    @Test
    void answersLeaderElectionsRulesReviewWithEverythingAllowed() {
        var review = client.authorization().v1().selfSubjectRulesReview().create(
                new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder()
                        .withNewSpec().withNamespace("default").endSpec().build());

        assertThat(review.getStatus().getResourceRules()).anySatisfy(rule -> {
            assertThat(rule.getVerbs()).containsExactly("*");
            assertThat(rule.getApiGroups()).containsExactly("*");
            assertThat(rule.getResources()).containsExactly("*");
        });
    }

    // --- helpers -------------------------------------------------------------------------------

    private static void createJob(String name) throws IOException {
        Result created = kubectl("apply", "-f", yaml(name, "bucket").toString());
        assertThat(created.exitCode()).as(created.toString()).isZero();
    }

    private static void createTask(String name, String job) {
        GenericKubernetesResource task = new GenericKubernetesResource();
        task.setApiVersion("ferry.dev/v1alpha1");
        task.setKind("MigrationTask");
        task.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name)
                .withNamespace("default").addToLabels("ferry.dev/job", job).build());
        task.setAdditionalProperty("spec", Map.of("jobName", job, "type", "Plan", "plan", Map.of("directory", "/")));
        client.genericKubernetesResources(TASKS).inNamespace("default").resource(task).create();
    }

    private static void createEvent(String jobName, String reason) {
        GenericKubernetesResource job = job(jobName);
        client.v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                .withNewMetadata().withName(jobName + "." + reason).withNamespace("default").endMetadata()
                .withNewInvolvedObject().withApiVersion("ferry.dev/v1alpha1").withKind("MigrationJob")
                .withName(jobName).withNamespace("default")
                .withUid(job != null ? job.getMetadata().getUid() : "none").endInvolvedObject()
                .withReason(reason).withMessage(reason + " happened").withType("Normal")
                .withLastTimestamp("2026-01-01T00:00:00Z").withCount(1).build()).create();
    }

    private static void setJobStatus(String name, String phase, String ready) {
        GenericKubernetesResource job = job(name);
        job.setAdditionalProperty("status", Map.of("phase", phase, "conditions",
                List.of(Map.of("type", "Ready", "status", ready, "reason", "Test",
                        "lastTransitionTime", "2026-01-01T00:00:00Z"))));
        client.genericKubernetesResources(JOBS).inNamespace("default").resource(job).updateStatus();
    }

    private static GenericKubernetesResource job(String name) {
        return client.genericKubernetesResources(JOBS).inNamespace("default").withName(name).get();
    }

    private static Path yaml(String name, String bucket) throws IOException {
        return yaml(name, bucket, "");
    }

    /** A job; {@code specLine}, when not empty, is one more line of its spec. */
    private static Path yaml(String name, String bucket, String specLine) throws IOException {
        Path file = temp.resolve(name + "-" + bucket + "-" + specLine.hashCode() + ".yaml");
        Files.writeString(file, """
                apiVersion: ferry.dev/v1alpha1
                kind: MigrationJob
                metadata:
                  name: %s
                spec:
                  source:
                    pvc: data
                  destination:
                    bucket: %s
                    credentialsSecret: s3
                  %s
                """.formatted(name, bucket, specLine));
        return file;
    }

    private static ResourceDefinitionContext context(String plural, String kind) {
        return new ResourceDefinitionContext.Builder().withGroup("ferry.dev").withVersion("v1alpha1")
                .withPlural(plural).withKind(kind).withNamespaced(true).build();
    }

    @Test
    void kubectlLogsReadsAPodsLogWholeOrItsTailAndFollowsItUntilThePodIsGone() throws Exception {
        Path logs = Files.createDirectories(temp.resolve("pod-logs"));
        api.servePodLogsFrom(logs);
        Path log = Files.writeString(logs.resolve("logged.log"), "one\ntwo\nthree\n");
        client.pods().inNamespace("default").resource(pod("logged", Map.of(Ferry.LOG_FILE_ANNOTATION, log.toString())))
                .create();
        client.pods().inNamespace("default").resource(pod("starting", Map.of())).create();
        Path elsewhere = Files.writeString(temp.resolve("not-a-log.txt"), "secret\n");
        client.pods().inNamespace("default").resource(pod("crafted", Map.of(Ferry.LOG_FILE_ANNOTATION,
                logs.resolve("../not-a-log.txt").toString()))).create();

        assertThat(kubectl("logs", "logged").stdout()).isEqualTo("one\ntwo\nthree\n");
        assertThat(kubectl("logs", "logged", "--tail=2").stdout()).isEqualTo("two\nthree\n");
        assertThat(kubectl("logs", "logged", "--limit-bytes=3").stdout()).isEqualTo("one");
        Result starting = kubectl("logs", "starting");
        assertThat(starting.exitCode()).isNotZero();
        assertThat(starting.stderr()).contains("container \"worker\" in pod \"starting\" is waiting to start");
        assertThat(kubectl("logs", "absent").stderr()).contains("pods \"absent\" not found");
        Result crafted = kubectl("logs", "crafted");
        assertThat(crafted.stdout()).as("a file outside the kubelet's log directories: %s", elsewhere).isEmpty();
        assertThat(crafted.stderr()).contains("is outside its log directories");

        Path followed = temp.resolve("pod-logs/followed.out");
        Process follow = command("logs", "-f", "logged", "--tail=1").redirectOutput(followed.toFile()).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(followed).equals("three\n"));
        Files.writeString(log, "four\n", StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(followed).equals("three\nfour\n"));
        assertThat(follow.isAlive()).as("following while the pod lives").isTrue();
        client.pods().inNamespace("default").withName("logged").delete();
        assertThat(follow.waitFor(20, TimeUnit.SECONDS)).as("the stream ends with the pod").isTrue();
        assertThat(follow.exitValue()).isZero();
    }

    @Test
    void kubectlScaleWritesTheReplicasOfADeploymentThroughItsScaleSubresource() {
        client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata()
                .withName("web").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("web")
                .withImage("web").endContainer().endSpec().endTemplate().endSpec().build()).create();

        Result scaled = kubectl("scale", "deployment", "web", "--replicas=3");
        assertThat(scaled.exitCode()).as(scaled.toString()).isZero();
        assertThat(scaled.stdout()).contains("deployment.apps/web scaled");
        assertThat(client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getReplicas())
                .isEqualTo(3);

        Result preconditioned = kubectl("scale", "deployment", "web", "--current-replicas=3", "--replicas=0");
        assertThat(preconditioned.exitCode()).as("a GET of the Scale, then a PUT: %s", preconditioned).isZero();
        assertThat(client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getReplicas())
                .isZero();
        Result wrongPrecondition = kubectl("scale", "deployment", "web", "--current-replicas=5", "--replicas=2");
        assertThat(wrongPrecondition.exitCode()).isNotZero();
        assertThat(kubectl("scale", "deployment", "absent", "--replicas=1").stderr())
                .contains("deployments.apps \"absent\" not found");
    }

    private static Pod pod(String name, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("ferry-worker").endContainer().endSpec()
                .build();
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    static Result kubectl(String... args) {
        try {
            Path out = Files.createTempFile(temp, "kubectl", ".out");
            Path err = Files.createTempFile(temp, "kubectl", ".err");
            Process process = command(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Process start(String... args) throws IOException {
        return command(args).start();
    }

    static ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of(KUBECTL, "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", temp.resolve("kube/cache").toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    static StringBuffer collect(InputStream in) {
        StringBuffer buffer = new StringBuffer();
        Thread reader = new Thread(() -> {
            byte[] chunk = new byte[4096];
            try {
                for (int n; (n = in.read(chunk)) > 0; ) {
                    buffer.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // process gone
            }
        });
        reader.setDaemon(true);
        reader.start();
        return buffer;
    }
}
