package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.IntStr.IntOrString;
import io.kubernetes.client.proto.Meta.ObjectMeta;
import io.kubernetes.client.proto.Meta.Time;
import io.kubernetes.client.proto.Resource.Quantity;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** kubectl's protobuf bodies read as the JSON a cluster would have been sent. */
class ProtobufBodiesTest {

    @Test
    void readsASecretAsKubectlCreateSecretSendsIt() {
        // As Go writes it: every plain field present, empty strings and a zero time included.
        V1.Secret secret = V1.Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("s3").setGenerateName("").setNamespace("")
                        .setUid("").setResourceVersion("").setGeneration(0).setCreationTimestamp(Time.getDefaultInstance()))
                .putData("accessKey", ByteString.copyFromUtf8("local-identity"))
                .putData("empty", ByteString.EMPTY)
                .setType("Opaque")
                .build();

        JsonNode json = ProtobufBodies.toJson(envelope("v1", "Secret", secret));

        assertThat(json.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(json.path("kind").asText()).isEqualTo("Secret");
        assertThat(json.path("metadata").path("name").asText()).isEqualTo("s3");
        assertThat(json.path("metadata").has("namespace")).as("empty strings are left out, as omitempty does").isFalse();
        assertThat(json.path("metadata").has("creationTimestamp")).as("the zero time is not a time").isFalse();
        assertThat(json.path("data").path("accessKey").asText()).isEqualTo("bG9jYWwtaWRlbnRpdHk=");
        assertThat(json.path("data").path("empty").asText()).isEmpty();
        assertThat(json.path("type").asText()).isEqualTo("Opaque");
    }

    @Test
    void keepsEmptyValuesOfAConfigMapAndItsLabels() {
        V1.ConfigMap configMap = V1.ConfigMap.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("settings").putLabels("team", "storage")
                        .setCreationTimestamp(Time.newBuilder().setSeconds(1767225600)))
                .putData("blank", "")
                .putData("settings.yaml", "a: 1\n")
                .build();

        JsonNode json = ProtobufBodies.toJson(envelope("v1", "ConfigMap", configMap));

        assertThat(json.path("data").path("blank").isTextual()).isTrue();
        assertThat(json.path("data").path("settings.yaml").asText()).isEqualTo("a: 1\n");
        assertThat(json.path("metadata").path("labels").path("team").asText()).isEqualTo("storage");
        assertThat(json.path("metadata").path("creationTimestamp").asText()).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void writesIntOrStringQuantitiesAndZeroCountsAsTheirJson() {
        V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("web"))
                .setSpec(V1Apps.DeploymentSpec.newBuilder()
                        .setReplicas(0)
                        .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setType("RollingUpdate")
                                .setRollingUpdate(V1Apps.RollingUpdateDeployment.newBuilder()
                                        .setMaxSurge(IntOrString.newBuilder().setType(1).setStrVal("25%"))
                                        .setMaxUnavailable(IntOrString.newBuilder().setType(0).setIntVal(1))))
                        .setTemplate(V1.PodTemplateSpec.newBuilder().setSpec(V1.PodSpec.newBuilder()
                                .addContainers(V1.Container.newBuilder().setName("nginx").setImage("nginx")
                                        .setResources(V1.ResourceRequirements.newBuilder()
                                                .putLimits("memory", Quantity.newBuilder().setString("512Mi").build()))))))
                .build();

        JsonNode spec = ProtobufBodies.toJson(envelope("apps/v1", "Deployment", deployment)).path("spec");

        assertThat(spec.path("replicas").isInt()).as("a zero set on purpose stays").isTrue();
        assertThat(spec.path("replicas").asInt()).isZero();
        assertThat(spec.path("strategy").path("rollingUpdate").path("maxSurge").asText()).isEqualTo("25%");
        assertThat(spec.path("strategy").path("rollingUpdate").path("maxUnavailable").isInt()).isTrue();
        JsonNode container = spec.path("template").path("spec").path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo("nginx");
        assertThat(container.path("resources").path("limits").path("memory").asText()).isEqualTo("512Mi");
    }

    @Test
    void namesTheApiVersionOfEachGeneratedPackage() {
        assertThat(ProtobufBodies.apiVersion("k8s.io.api.core.v1")).isEqualTo("v1");
        assertThat(ProtobufBodies.apiVersion("k8s.io.api.apps.v1")).isEqualTo("apps/v1");
        assertThat(ProtobufBodies.apiVersion("k8s.io.api.rbac.v1")).isEqualTo("rbac.authorization.k8s.io/v1");
        assertThat(ProtobufBodies.apiVersion("k8s.io.api.authorization.v1")).isEqualTo("authorization.k8s.io/v1");
        assertThat(ProtobufBodies.apiVersion("k8s.io.api.networking.v1")).isEqualTo("networking.k8s.io/v1");
    }

    @Test
    void refusesAKindItCannotDecodeNamingTheWayOut() {
        byte[] body = envelope("ferry.dev/v1alpha1", "MigrationJob", V1.ConfigMap.getDefaultInstance());

        assertThatThrownBy(() -> ProtobufBodies.toJson(body))
                .isInstanceOf(ProtobufBodies.UnsupportedBody.class)
                .hasMessageContaining("MigrationJob").hasMessageContaining("as JSON");
    }

    @Test
    void refusesABodyWithoutTheEnvelope() {
        assertThatThrownBy(() -> ProtobufBodies.toJson("{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ProtobufBodies.UnsupportedBody.class).hasMessageContaining("envelope");
    }

    @Test
    void writesDurationsAsGoDoes() {
        assertThat(ProtoJson.GoDuration.format(0)).isEqualTo("0s");
        assertThat(ProtoJson.GoDuration.format(3_723_000_000_000L)).isEqualTo("1h2m3s");
        assertThat(ProtoJson.GoDuration.format(3_600_000_000_000L)).isEqualTo("1h0m0s");
        assertThat(ProtoJson.GoDuration.format(1_500_000_000L)).isEqualTo("1.5s");
    }

    /** The bytes kubectl sends: the magic, then a runtime.Unknown around the object. */
    static byte[] envelope(String apiVersion, String kind, Message object) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'k', '8', 's', 0});
        out.writeBytes(Runtime.Unknown.newBuilder()
                .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(object.toByteString()).setContentEncoding("").setContentType("")
                .build().toByteArray());
        return out.toByteArray();
    }
}
