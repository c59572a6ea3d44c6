package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Authorization reviews allow everything: the local API has one user, its owner. */
final class AccessReviews {
    private static final Logger LOG = LoggerFactory.getLogger(AccessReviews.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern REVIEW = Pattern.compile(
            "/apis/authorization\\.k8s\\.io/v1/(?:namespaces/[^/]+/)?(selfsubjectrulesreviews|selfsubjectaccessreviews"
                    + "|subjectaccessreviews|localsubjectaccessreviews)");

    private AccessReviews() {
    }

    /** Whether a POST to the path creates a review. */
    static boolean isReview(String path) {
        return REVIEW.matcher(path).matches();
    }

    /** The review, answered: everything allowed. */
    static MockResponse answer(String path, String body) {
        ObjectNode review = readReview(path, body);
        ObjectNode status = review.putObject("status");
        if (path.endsWith("selfsubjectrulesreviews")) {
            ObjectNode resourceRule = status.putArray("resourceRules").addObject();
            resourceRule.putArray("verbs").add("*");
            resourceRule.putArray("apiGroups").add("*");
            resourceRule.putArray("resources").add("*");
            ObjectNode nonResourceRule = status.putArray("nonResourceRules").addObject();
            nonResourceRule.putArray("verbs").add("*");
            nonResourceRule.putArray("nonResourceURLs").add("*");
            status.put("incomplete", false);
        } else {
            status.put("allowed", true);
            status.put("reason", "the local Ferry API allows everything");
        }
        return ApiResponses.ok(review).setResponseCode(201);
    }

    /**
     * The review as sent (kubectl's protobuf reviews arrive here as JSON: {@link ProtobufBodies}), or,
     * for a body that is not JSON, a fresh one of the kind the path names: the answer is the same for
     * any question.
     */
    private static ObjectNode readReview(String path, String body) {
        try {
            JsonNode review = MAPPER.readTree(body);
            if (review != null && review.isObject()) {
                return (ObjectNode) review;
            }
        } catch (IOException e) {
            LOG.debug("review body is not JSON: answering a fresh review");
        }
        String plural = path.substring(path.lastIndexOf('/') + 1);
        ObjectNode review = JsonNodeFactory.instance.objectNode();
        review.put("kind", ResourceCatalog.of(List.of()).find("authorization.k8s.io", "v1", plural)
                .map(ApiResource::kind).orElse("SelfSubjectAccessReview"));
        review.put("apiVersion", "authorization.k8s.io/v1");
        review.putObject("metadata");
        review.putObject("spec");
        return review;
    }
}
