package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Scheduling;
import io.kubernetes.client.proto.V1Storage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Request bodies that kubectl sends as protobuf ({@code kubectl create secret|configmap|deployment},
 * {@code kubectl auth can-i}: its typed clients prefer protobuf for built-in kinds) turned into the JSON
 * the rest of the local API reads. The wire format is Kubernetes' envelope: the magic {@code k8s\0}, then
 * a {@code runtime.Unknown} holding the apiVersion, the kind and the object's own message.
 */
final class ProtobufBodies {
    static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    /** The generated files of the stable built-in groups: the kinds the local API can decode. */
    private static final List<FileDescriptor> FILES = List.of(V1.getDescriptor(), V1Apps.getDescriptor(),
            V1Batch.getDescriptor(), V1Rbac.getDescriptor(), V1Authorization.getDescriptor(),
            V1Authentication.getDescriptor(), V1Autoscaling.getDescriptor(), V1Networking.getDescriptor(),
            V1Policy.getDescriptor(), V1Scheduling.getDescriptor(), V1Storage.getDescriptor());
    private static final Map<String, Descriptor> TYPES = index();

    private ProtobufBodies() {
    }

    static boolean isProtobuf(RecordedRequest request) {
        String contentType = request.getHeader("Content-Type");
        return contentType != null && contentType.startsWith(CONTENT_TYPE);
    }

    /** The request with its protobuf body as JSON, and a JSON Content-Type. */
    static RecordedRequest asJson(RecordedRequest request) {
        byte[] json = toJson(request.getBody().getBytes()).toString().getBytes(StandardCharsets.UTF_8);
        Headers headers = request.getHeaders().newBuilder()
                .set("Content-Type", "application/json")
                .set("Content-Length", Integer.toString(json.length))
                .build();
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), headers,
                new Buffer().write(json));
    }

    /**
     * The object in an envelope, as JSON.
     *
     * @throws UnsupportedBody when the bytes are not an envelope or hold a kind this API cannot decode
     */
    static ObjectNode toJson(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw new UnsupportedBody("the body does not start with the Kubernetes protobuf envelope (k8s\\0)");
        }
        try {
            Runtime.Unknown envelope = Runtime.Unknown.parseFrom(Arrays.copyOfRange(body, MAGIC.length, body.length));
            String apiVersion = envelope.getTypeMeta().getApiVersion();
            String kind = envelope.getTypeMeta().getKind();
            Descriptor type = TYPES.get(apiVersion + "/" + kind);
            if (type == null) {
                throw new UnsupportedBody("the local API cannot decode " + kind + " (" + apiVersion
                        + ") from protobuf: send it as JSON (kubectl apply -f)");
            }
            ObjectNode object = ProtoJson.object(DynamicMessage.parseFrom(type, envelope.getRaw()));
            ObjectNode json = object.objectNode();
            json.put("apiVersion", apiVersion);
            json.put("kind", kind);
            json.setAll(object);
            return json;
        } catch (InvalidProtocolBufferException e) {
            throw new UnsupportedBody("the protobuf body cannot be read: " + e.getMessage());
        }
    }

    /** "apps/v1/Deployment" (or "v1/Secret") to its message type, from the generated files' packages. */
    private static Map<String, Descriptor> index() {
        Map<String, Descriptor> types = new HashMap<>();
        for (FileDescriptor file : FILES) {
            String apiVersion = apiVersion(file.getPackage());
            for (Descriptor type : file.getMessageTypes()) {
                types.put(apiVersion + "/" + type.getName(), type);
            }
        }
        return Map.copyOf(types);
    }

    /** "k8s.io.api.core.v1" is "v1", "k8s.io.api.rbac.v1" is "rbac.authorization.k8s.io/v1". */
    static String apiVersion(String protoPackage) {
        String[] parts = protoPackage.split("\\.");
        String version = parts[parts.length - 1];
        String group = parts[parts.length - 2];
        return switch (group) {
            case "core" -> version;
            case "apps", "batch", "autoscaling", "policy" -> group + "/" + version;
            case "rbac", "authorization", "authentication" -> group
                    + (group.equals("rbac") ? ".authorization" : "") + ".k8s.io/" + version;
            default -> group + ".k8s.io/" + version;
        };
    }

    /** A body this API cannot turn into JSON: answered 415, naming why. */
    static final class UnsupportedBody extends RuntimeException {
        UnsupportedBody(String message) {
            super(message);
        }
    }
}
